using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>The RMDS head's settings.</summary>
/// <param name="LabelColumn">The class label column the class Gaussians were fitted per.</param>
/// <param name="Classes">The number of classes.</param>
/// <param name="Rank">The rank of the shared class covariance (the directions the class distances measure along).</param>
/// <param name="BackgroundRank">The rank of the background covariance, that of all rows about their mean.</param>
[OodHeadKind("rmds")]
public sealed record RelativeMahalanobisSettings(string LabelColumn, int Classes, int Rank, int BackgroundRank) : OodHeadSettings;

/// <summary>
/// Relative Mahalanobis distance, RMDS (Ren et al., "A Simple Fix to Mahalanobis Distance for Improving Near-OOD
/// Detection", 2021; OpenOOD <c>rmds_postprocessor</c>): score = min over classes of (h - mu_c)^T P (h - mu_c) minus
/// (h - mu_0)^T P_0 (h - mu_0). Higher means more likely out-of-distribution (OpenOOD returns the negation).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: one pass over the feature and label columns |
/// | Input column data type | Known-sized vector of <xref:System.Single> (penultimate features); label: a key or a whole number of any ML.NET number type |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// P is the pseudo-inverse of the biased covariance of the class-centred rows (the Mahalanobis head's), P_0 that of all
/// rows centred on their mean mu_0: the background Gaussian, whose distance removes what every class shares. Both come
/// from one pass, in double, and scipy's pinvh cutoff drops the null directions. OpenOOD computes in float32 (about 3e-5
/// relative error); here the graph computes in double (the score is a difference of two distances of similar size), each
/// distance as ||z||^2 - 2 z . m_c + ||m_c||^2 with z = h W, m_c = mu_c W and P = W W^T: two matrix products, where the
/// differences z - m_c would be a [rows, classes, D] tensor (1 GB per block at 1,000 classes of 512). A class
/// covariance of rank 0 (one row per class, or identical rows within each class) is refused. A row with a NaN or
/// infinite value scores NaN. Create it with <c>ml.Ood().Rmds(...)</c>.
/// </remarks>
public sealed class RelativeMahalanobisEstimator : LabelledHeadEstimator<RelativeMahalanobisSettings>
{
    internal RelativeMahalanobisEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, string labelColumnName,
        OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, labelColumnName, execution)
    {
    }

    private protected override FittedHead<RelativeMahalanobisSettings> FitHead(IDataView trainingData, int inputSize)
    {
        var host = Catalog.Environment.Register(nameof(RelativeMahalanobisEstimator));
        var (classes, fitted) = ClassGaussians.Fit(host, trainingData, InputColumnName, LabelColumnName, inputSize, withBackground: true);
        var background = fitted!;
        // As for the Mahalanobis head: with no class spread every class distance is 0 and the score would only say how far a
        // row is from the data's mean, which is not what RMDS measures. The background has rank 0 only if the classes do.
        if (classes.Rank == 0)
        {
            throw new InvalidOperationException(
                OodErrors.Format(OodErrors.RmdsCovarianceRankZero, InputColumnName, classes.Rows, classes.Classes, LabelColumnName));
        }

        using (var channel = host.Start("RMDS"))
        {
            channel.Info(MessageSensitivity.None,
                $"RMDS: {classes.Classes} classes from {classes.Rows:N0} rows; class covariance of rank {classes.Rank}, background of rank {background.Rank}, of {inputSize}.");
        }

        var settings = new RelativeMahalanobisSettings(LabelColumnName, classes.Classes, classes.Rank, background.Rank);
        return new(settings, g =>
        {
            // In double: the score is a difference of two distances of similar size (docs/FORMULAS.md asks for 1e-5).
            var keep = OnnxAttributes.Int("keepdims", 0);
            string h = g.ToDouble(g.Input);
            string nearestClass = g.Node("ReduceMin", [classes.SquaredDistances(g, h), g.Axis(1)], keep);
            string toBackground = g.Node("ReduceMin", [background.SquaredDistances(g, h, "background_"), g.Axis(1)], keep);
            return g.ToSingle(g.Node("Sub", nearestClass, toBackground));
        });
    }
}
