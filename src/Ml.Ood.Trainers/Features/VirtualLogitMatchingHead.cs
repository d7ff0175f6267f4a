using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Trainers.Data;
using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>The ViM head's settings.</summary>
/// <param name="Dim">The number of principal directions of the training features left out of the residual.</param>
/// <param name="Alpha">The fitted scale of the virtual logit: mean max-logit over the training rows / their mean residual norm.</param>
[OodHeadKind("vim")]
public sealed record VirtualLogitMatchingSettings(int Dim, double Alpha) : OodHeadSettings;

/// <summary>
/// ViM, virtual-logit matching (Wang et al., "ViM: Out-Of-Distribution with Virtual-logit Matching", CVPR 2022; OpenOOD
/// <c>vim_postprocessor</c>): score = alpha ||(h - u) NS|| - log sum_c exp(W h + b)_c, the feature's residual off the
/// principal subspace of the training features, scaled to the logits, minus the energy. Higher means more likely
/// out-of-distribution (OpenOOD returns the negation).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: two passes over the feature column (the covariance, then alpha) |
/// | Input column data type | Known-sized vector of <xref:System.Single> (penultimate features, D = the layer's) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// The origin u = -pinv(W) b makes the logits of h - u linear in it; NS holds the eigenvectors of the uncentred
/// covariance of (h_train - u) beyond its <c>dim</c> largest eigenvalues; alpha = mean max-logit / mean ||(h_train - u) NS||
/// over the training rows. Everything is fitted in double. pinv(W) comes from the eigen-decomposition of the smaller of
/// W W^T and W^T W, dropping eigenvalues below max(C, D) * eps * the largest (numpy's pinv cuts singular values at 1e-15
/// of the largest: the same for any layer whose condition number is below about 1e7). Alpha needs NS, so Fit reads the
/// training view twice; cache it (<c>ml.Data.Cache</c>) if an encoder computes it. The default <c>dim</c> is D / 8 (at
/// least 1), OpenOOD's 256 at D = 2048 (the ViM paper uses larger ones, e.g. 1000 at D = 2048). Fitting costs O(N D^2) and
/// O(D^3) for the eigen-decomposition. A row with a NaN or infinite value scores NaN. Create it with
/// <c>ml.Ood().Vim(...)</c>.
/// </remarks>
public sealed class VirtualLogitMatchingEstimator : FeatureHeadEstimator<VirtualLogitMatchingSettings>
{
    internal VirtualLogitMatchingEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, OodClassifierLayer layer,
        int? dim, OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, layer, execution)
    {
        int chosen = dim ?? Math.Max(1, layer.Features / 8);
        if (chosen < 1 || chosen >= layer.Features)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), chosen, OodErrors.Format(OodErrors.VimDimOutOfRange, chosen, layer.Features));
        }

        Dim = chosen;
    }

    /// <summary>The number of principal directions left out of the residual, 1 &lt;= dim &lt; D.</summary>
    public int Dim { get; }

    private protected override FittedHead<VirtualLogitMatchingSettings> FitHead(IDataView trainingData, int inputSize)
    {
        var host = Catalog.Environment.Register(nameof(VirtualLogitMatchingEstimator));
        double[] origin = LayerAlgebra.PseudoInverseTimesBias(Layer);
        for (int d = 0; d < origin.Length; d++)
        {
            origin[d] = -origin[d];
        }

        var (covariance, rows) = UncentredCovariance(host, trainingData, origin);
        double[] residualSpace = ResidualSpace(covariance, inputSize, Dim);
        int residualDims = inputSize - Dim;
        double alpha = Alpha(host, trainingData, origin, residualSpace, residualDims);
        using (var channel = host.Start("ViM"))
        {
            channel.Info(MessageSensitivity.None, $"ViM: {rows:N0} rows of '{InputColumnName}'; residual of {residualDims} of {inputSize} directions; alpha = {alpha:G6}.");
        }

        float[] u = origin.Select(v => (float)v).ToArray();
        float[] ns = residualSpace.Select(v => (float)v).ToArray();
        return new(new VirtualLogitMatchingSettings(Dim, alpha), g =>
        {
            string projected = g.Node("MatMul", g.Node("Sub", g.Input, g.Weights("origin", u, inputSize)), g.Weights("residual_space", ns, inputSize, residualDims));
            string residual = g.Node("Sqrt", g.Node("ReduceSumSquare", [projected, g.Axis(1)], OnnxAttributes.Int("keepdims", 0)));
            return g.Node("Sub", g.Node("Mul", residual, g.Constant((float)alpha)), g.LogSumExp(Logits(g, g.Input)));
        });
    }

    /// <summary>(1/N) sum (h - u)(h - u)^T over the training rows, in double (sklearn's EmpiricalCovariance, assume_centered).</summary>
    private (double[] Covariance, long Rows) UncentredCovariance(IHost host, IDataView data, double[] origin)
    {
        int n = origin.Length;
        var covariance = new double[n * n];
        var centred = new double[n];
        long rows = TrainingRows.Read(host, data, InputColumnName, labelColumn: null, (h, _) =>
        {
            for (int d = 0; d < n; d++)
            {
                centred[d] = h[d] - origin[d];
            }
            for (int i = 0; i < n; i++)
            {
                TensorPrimitives.MultiplyAdd(centred, centred[i], covariance.AsSpan(i * n, n), covariance.AsSpan(i * n, n));
            }
        });
        if (rows == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.FeatureHeadNoRows, InputColumnName, "ViM"));
        }

        TensorPrimitives.Divide(covariance, rows, covariance);
        return (covariance, rows);
    }

    /// <summary>NS: the eigenvectors beyond the <paramref name="dim"/> largest eigenvalues, as the columns of [D, D - dim].</summary>
    private static double[] ResidualSpace(double[] covariance, int n, int dim)
    {
        var (values, vectors) = SymmetricEigen.Decompose(covariance, n);
        int[] order = [.. Enumerable.Range(0, n).OrderByDescending(i => values[i]).Skip(dim)];
        var space = new double[n * order.Length];
        for (int j = 0; j < order.Length; j++)
        {
            for (int i = 0; i < n; i++)
            {
                space[i * order.Length + j] = vectors[i * n + order[j]];
            }
        }
        return space;
    }

    /// <summary>alpha = mean max-logit / mean ||(h - u) NS|| over the training rows (the second pass).</summary>
    private double Alpha(IHost host, IDataView data, double[] origin, double[] space, int residualDims)
    {
        int n = origin.Length, classes = Layer.Classes;
        var centred = new double[n];
        var logits = new double[classes];
        double maxLogits = 0, residuals = 0;
        long rows = TrainingRows.Read(host, data, InputColumnName, labelColumn: null, (h, _) =>
        {
            LayerAlgebra.Logits(Layer, h, logits);
            maxLogits += logits.Max();
            for (int d = 0; d < n; d++)
            {
                centred[d] = h[d] - origin[d];
            }

            double squared = 0;
            for (int j = 0; j < residualDims; j++)
            {
                double sum = 0;
                for (int i = 0; i < n; i++)
                {
                    sum += centred[i] * space[i * residualDims + j];
                }

                squared += sum * sum;
            }
            residuals += Math.Sqrt(squared);
        });
        if (!(residuals > 0))
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.VimNoResidual, InputColumnName, Dim));
        }

        return maxLogits / residuals;
    }
}
