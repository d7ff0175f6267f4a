using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Trainers.Data;
using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>
/// Class-conditional Gaussians with one shared covariance (Lee et al., NeurIPS 2018; OpenOOD's MDS and RMDS): the class
/// means and the whitening of the biased shared covariance, from one pass over the training rows.
/// </summary>
internal sealed class ClassGaussians
{
    /// <summary>The spacing of doubles at 1 (numpy's finfo(float64).eps); .NET's double.Epsilon is the smallest subnormal.</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    private ClassGaussians(double[] means, int classes, double[] whitening, int rank, long rows)
    {
        Means = means;
        Classes = classes;
        Whitening = whitening;
        Rank = rank;
        Rows = rows;
    }

    /// <summary>Class means, row-major [classes, dimensions], in double: the whitened means are taken from them unrounded.</summary>
    public double[] Means { get; }

    public int Classes { get; }

    /// <summary>W with P = W W^T, row-major [dimensions, rank]: (x - mu)^T P (x - mu) = ||(x - mu) W||^2.</summary>
    public double[] Whitening { get; }

    public int Rank { get; }

    public long Rows { get; }

    public static ClassGaussians Fit(IHost host, IDataView data, string column, string labelColumn, int dimensions)
        => Fit(host, data, column, labelColumn, dimensions, withBackground: false).Classes;

    /// <summary>
    /// The class Gaussians and, when <paramref name="withBackground"/>, the background Gaussian of RMDS (Ren et al., 2021):
    /// one "class" holding every row, i.e. the mean of all rows and their biased covariance about it, from the same pass.
    /// </summary>
    public static (ClassGaussians Classes, ClassGaussians? Background) Fit(IHost host, IDataView data, string column, string labelColumn,
        int dimensions, bool withBackground)
    {
        var classes = new Scatter(dimensions);
        var background = withBackground ? new Scatter(dimensions) : null;
        long n = TrainingRows.Read(host, data, column, labelColumn, (embedding, label) =>
        {
            if (label < 0)
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.NegativeClassLabel, labelColumn, label), nameof(labelColumn));
            }

            classes.Add(embedding, label);
            background?.Add(embedding, 0);
        });
        if (n == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.GaussiansNoRows, column));
        }

        for (int c = 0; c < classes.Counts.Count; c++)
        {
            if (classes.Counts[c] == 0)
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.ClassWithoutRows, labelColumn, c, classes.Counts.Count - 1), nameof(labelColumn));
            }
        }
        return (classes.Finish(n), background?.Finish(n));
    }

    /// <summary>
    /// The squared Mahalanobis distance of each row of <paramref name="input"/> (already cast to double) to each class
    /// mean, [batch, classes], in double, as ||z||^2 - 2 z . m_c + ||m_c||^2 with z = x W, m_c = mu_c W and P = W W^T: two
    /// matrix products. Whitening first and taking the differences z - m_c after cancels nothing even in float, but writes
    /// a [batch, classes, rank] tensor (512 MB per block of 256 rows at 1,000 classes of rank 512; RMDS took 54 s instead
    /// of 3 s for 100,000 such rows); in double the expansion loses about log10(||z||^2 / distance) of 16 digits.
    /// <paramref name="prefix"/> names the initializers, so that two sets of Gaussians fit in one graph.
    /// </summary>
    public string SquaredDistances(HeadGraph g, string input, string prefix = "")
    {
        int dimensions = g.InputSize;
        double[] means = WhitenedMeans(Whitening, dimensions);
        var transposed = new double[Rank * Classes];
        var squaredNorms = new double[Classes];
        for (int c = 0; c < Classes; c++)
        {
            for (int j = 0; j < Rank; j++)
            {
                double m = means[c * Rank + j];
                transposed[j * Classes + c] = m;
                squaredNorms[c] += m * m;
            }
        }

        string z = g.Node("MatMul", input, g.DoubleWeights($"{prefix}whitening", Whitening, dimensions, Rank));
        string zz = g.Node("ReduceSumSquare", [z, g.Axis(1)], OnnxAttributes.Int("keepdims", 1));
        string cross = g.Node("MatMul", z, g.DoubleWeights($"{prefix}whitened_means_t", transposed, Rank, Classes));
        string expanded = g.Node("Add", g.Node("Sub", zz, g.Node("Add", cross, cross)), g.DoubleWeights($"{prefix}whitened_norms", squaredNorms, 1, Classes));
        // Rounding can leave the distance to a row's own class mean slightly below 0.
        return g.Node("Max", expanded, g.ToDouble(g.Constant(0f)));
    }

    /// <summary>mu_c W for every class, row-major [classes, rank], accumulated in double from the double means.</summary>
    private double[] WhitenedMeans(double[] whitening, int dimensions)
    {
        var result = new double[Classes * Rank];
        for (int c = 0; c < Classes; c++)
        {
            for (int j = 0; j < Rank; j++)
            {
                double sum = 0;
                for (int i = 0; i < dimensions; i++)
                {
                    sum += Means[c * dimensions + i] * whitening[i * Rank + j];
                }

                result[c * Rank + j] = sum;
            }
        }
        return result;
    }

    /// <summary>
    /// W = V_r diag(1 / sqrt(lambda_r)) over the eigenvalues above scipy.linalg.pinvh's cutoff
    /// (|lambda| > n * eps * max |lambda|), so that W W^T is the pseudo-inverse of the covariance.
    /// </summary>
    private static (double[] Whitening, int Rank) PseudoInverseSquareRoot(double[] covariance, int n)
    {
        var (values, vectors) = SymmetricEigen.Decompose(covariance, n);
        double cutoff = n * MachineEpsilon * values.Max(Math.Abs);
        var kept = Enumerable.Range(0, n).Where(i => values[i] > cutoff).ToArray();
        var whitening = new double[n * kept.Length];
        for (int j = 0; j < kept.Length; j++)
        {
            double scale = 1 / Math.Sqrt(values[kept[j]]);
            for (int i = 0; i < n; i++)
            {
                whitening[i * kept.Length + j] = vectors[i * n + kept[j]] * scale;
            }
        }
        return (whitening, kept.Length);
    }

    /// <summary>
    /// Welford's update per class into one shared scatter matrix: for a row x of class c, with n_c counting it,
    /// delta = x - mu_c (before the update) and scatter += ((n_c - 1) / n_c) delta delta^T. Unlike
    /// sum x x^T - sum n_c mu_c mu_c^T, this does not cancel, so rank-deficient covariances stay so.
    /// </summary>
    private sealed class Scatter(int dimensions)
    {
        private readonly List<double[]> _means = [];
        private readonly double[] _scatter = new double[dimensions * dimensions];
        private readonly double[] _delta = new double[dimensions];

        public List<long> Counts { get; } = [];

        public void Add(ReadOnlySpan<float> embedding, int label)
        {
            while (_means.Count <= label)
            {
                _means.Add(new double[dimensions]);
                Counts.Add(0);
            }
            var mean = _means[label];
            long count = ++Counts[label];
            for (int d = 0; d < dimensions; d++)
            {
                _delta[d] = embedding[d] - mean[d];
            }

            TensorPrimitives.MultiplyAdd(_delta, 1.0 / count, mean, mean);
            double weight = (count - 1) / (double)count;
            for (int i = 0; i < dimensions; i++)
            {
                var target = _scatter.AsSpan(i * dimensions, dimensions);
                TensorPrimitives.MultiplyAdd(_delta, weight * _delta[i], target, target);
            }
        }

        public ClassGaussians Finish(long rows)
        {
            // The biased shared covariance S = scatter / N, as OpenOOD's MDS and RMDS and docs/FORMULAS.md define it.
            TensorPrimitives.Divide(_scatter, rows, _scatter);
            var (whitening, rank) = PseudoInverseSquareRoot(_scatter, dimensions);
            return new ClassGaussians(_means.SelectMany(m => m).ToArray(), _means.Count, whitening, rank, rows);
        }
    }
}
