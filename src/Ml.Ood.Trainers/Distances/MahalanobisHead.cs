using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>The Mahalanobis head's settings.</summary>
/// <param name="LabelColumn">The class label column the Gaussians were fitted per.</param>
/// <param name="Classes">The number of classes.</param>
/// <param name="Rank">The rank of the shared covariance (the number of directions the head measures along).</param>
[OodHeadKind("mahalanobis")]
public sealed record MahalanobisSettings(string LabelColumn, int Classes, int Rank) : OodHeadSettings;

/// <summary>
/// Mahalanobis out-of-distribution score (Lee et al., NeurIPS 2018, without input pre-processing, as in OpenOOD's MDS):
/// class means and one shared, biased covariance S fitted on in-distribution embeddings, and score = min over classes of
/// (x - mu_c)^T S^+ (x - mu_c). Higher means more likely out-of-distribution.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: one pass over the embedding and label columns |
/// | Input column data type | Known-sized vector of <xref:System.Single>; label: a key or a whole number of any ML.NET number type |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// S^+ is the pseudo-inverse (eigenvalues below scipy's pinvh cutoff are dropped), so collinear embeddings work. A
/// covariance of rank 0 (one row per class, or identical rows within each class) has no direction to measure along and
/// would score every input 0: Fit throws <see cref="InvalidOperationException"/> instead. The graph computes in double,
/// min_c ||z||^2 - 2 z . m_c + ||m_c||^2 with z = x W, m_c = mu_c W and S^+ = W W^T: two matrix products, safe from
/// cancellation in double, where the float differences z - m_c would be a [rows, classes, D] tensor (512 MB per block
/// of 256 rows at 1,000 classes of 512). Fitting costs O(N D^2) for the covariance and O(D^3) for its eigen-decomposition. A row with a NaN or
/// infinite value scores NaN. Create it with <c>ml.Ood().Mahalanobis(...)</c>.
/// </remarks>
public sealed class MahalanobisEstimator : LabelledHeadEstimator<MahalanobisSettings>
{
    internal MahalanobisEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, string labelColumnName,
        OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, labelColumnName, execution)
    {
    }

    private protected override FittedHead<MahalanobisSettings> FitHead(IDataView trainingData, int inputSize)
    {
        var host = Catalog.Environment.Register(nameof(MahalanobisEstimator));
        var gaussians = ClassGaussians.Fit(host, trainingData, InputColumnName, LabelColumnName, inputSize);
        // A zero covariance has an empty pseudo-inverse: the head would score every input 0 (the most in-distribution
        // score there is), NaN included. Refuse it rather than ship a detector that never says "I don't know".
        if (gaussians.Rank == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.CovarianceRankZero, InputColumnName, gaussians.Rows, gaussians.Classes, LabelColumnName));
        }

        using (var channel = host.Start("Mahalanobis"))
        {
            channel.Info(MessageSensitivity.None, $"Mahalanobis: {gaussians.Classes} classes from {gaussians.Rows:N0} rows; shared covariance of rank {gaussians.Rank} of {inputSize}.");
        }

        return new(new MahalanobisSettings(LabelColumnName, gaussians.Classes, gaussians.Rank),
            g => g.ToSingle(g.Node("ReduceMin", [gaussians.SquaredDistances(g, g.ToDouble(g.Input)), g.Axis(1)],
                OnnxAttributes.Int("keepdims", 0))));
    }
}
