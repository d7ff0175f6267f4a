using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Trainers.Data;

namespace Ml.Ood;

/// <summary>
/// Class-conditional Gaussians with one shared covariance (Lee et al., NeurIPS 2018; OpenOOD's MDS): the class
/// means and the whitening of the biased shared covariance, from one pass over the training rows.
/// </summary>
internal sealed class ClassGaussians
{
    /// <summary>The spacing of doubles at 1 (numpy's finfo(float64).eps); .NET's double.Epsilon is the smallest subnormal.</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    private ClassGaussians(float[] means, int classes, float[] whitening, int rank, long rows)
    {
        Means = means;
        Classes = classes;
        Whitening = whitening;
        Rank = rank;
        Rows = rows;
    }

    /// <summary>Class means, row-major [classes, dimensions].</summary>
    public float[] Means { get; }

    public int Classes { get; }

    /// <summary>W with P = W W^T, row-major [dimensions, rank]: (x - mu)^T P (x - mu) = ||(x - mu) W||^2.</summary>
    public float[] Whitening { get; }

    public int Rank { get; }

    public long Rows { get; }

    public static ClassGaussians Fit(IHost host, IDataView data, string column, string labelColumn, int dimensions)
    {
        // One pass of Welford's update per class into one shared scatter matrix: for a row x of class c, with
        // n_c counting it, delta = x - mu_c (before the update) and scatter += ((n_c - 1) / n_c) delta delta^T.
        // Unlike sum x x^T - sum n_c mu_c mu_c^T, this does not cancel, so rank-deficient covariances stay so.
        var means = new List<double[]>();
        var counts = new List<long>();
        var scatter = new double[dimensions * dimensions];
        var delta = new double[dimensions];
        long n = TrainingRows.Read(host, data, column, labelColumn, (embedding, label) =>
        {
            if (label < 0)
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.NegativeClassLabel, labelColumn, label), nameof(labelColumn));
            }

            while (means.Count <= label)
            {
                means.Add(new double[dimensions]);
                counts.Add(0);
            }
            var mean = means[label];
            long count = ++counts[label];
            for (int d = 0; d < dimensions; d++)
            {
                delta[d] = embedding[d] - mean[d];
            }

            TensorPrimitives.MultiplyAdd(delta, 1.0 / count, mean, mean);
            double weight = (count - 1) / (double)count;
            for (int i = 0; i < dimensions; i++)
            {
                var target = scatter.AsSpan(i * dimensions, dimensions);
                TensorPrimitives.MultiplyAdd(delta, weight * delta[i], target, target);
            }
        });
        if (n == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.GaussiansNoRows, column));
        }

        int classes = means.Count;
        for (int c = 0; c < classes; c++)
        {
            if (counts[c] == 0)
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.ClassWithoutRows, labelColumn, c, classes - 1), nameof(labelColumn));
            }
        }
        // The biased shared covariance S = scatter / N, as OpenOOD's MDS and docs/FORMULAS.md define it.
        TensorPrimitives.Divide(scatter, n, scatter);
        var (whitening, rank) = PseudoInverseSquareRoot(scatter, dimensions);
        return new ClassGaussians(means.SelectMany(m => m).Select(v => (float)v).ToArray(), classes, whitening, rank, n);
    }

    /// <summary>mu_c W for every class, row-major [classes, rank], accumulated in double.</summary>
    public float[] WhitenedMeans(int dimensions)
    {
        var result = new float[Classes * Rank];
        for (int c = 0; c < Classes; c++)
        {
            for (int j = 0; j < Rank; j++)
            {
                double sum = 0;
                for (int i = 0; i < dimensions; i++)
                {
                    sum += (double)Means[c * dimensions + i] * Whitening[i * Rank + j];
                }

                result[c * Rank + j] = (float)sum;
            }
        }
        return result;
    }

    /// <summary>
    /// W = V_r diag(1 / sqrt(lambda_r)) over the eigenvalues above scipy.linalg.pinvh's cutoff
    /// (|lambda| > n * eps * max |lambda|), so that W W^T is the pseudo-inverse of the covariance.
    /// </summary>
    private static (float[] Whitening, int Rank) PseudoInverseSquareRoot(double[] covariance, int n)
    {
        var (values, vectors) = SymmetricEigen.Decompose(covariance, n);
        double cutoff = n * MachineEpsilon * values.Max(Math.Abs);
        var kept = Enumerable.Range(0, n).Where(i => values[i] > cutoff).ToArray();
        var whitening = new float[n * kept.Length];
        for (int j = 0; j < kept.Length; j++)
        {
            double scale = 1 / Math.Sqrt(values[kept[j]]);
            for (int i = 0; i < n; i++)
            {
                whitening[i * kept.Length + j] = (float)(vectors[i * n + kept[j]] * scale);
            }
        }
        return (whitening, kept.Length);
    }
}
