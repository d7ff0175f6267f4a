using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms;

namespace Ml.Ood.Trainers;

/// <summary>
/// Mahalanobis out-of-distribution score (Lee et al., NeurIPS 2018, without input pre-processing, as in
/// OpenOOD's MDS): class means and one shared, biased covariance S fitted on in-distribution embeddings, and
/// score = min over classes of (x - mu_c)^T S^+ (x - mu_c). Higher means more likely out-of-distribution.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: one pass over the embedding and label columns |
/// | Input column data type | Known-sized vector of <xref:System.Single>; label: key, or whole numbers as Single, Double or Int32 |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// S^+ is the pseudo-inverse (eigenvalues below scipy's pinvh cutoff are dropped), so collinear embeddings work.
/// A covariance of rank 0 (one row per class, or identical rows within each class) has no direction to measure
/// along and would score every input 0: Fit throws <see cref="InvalidOperationException"/> instead.
/// Fitting costs O(N D^2) for the covariance and O(D^3) for its eigen-decomposition. Create it with
/// <c>ml.Ood().Mahalanobis(...)</c>.
/// A row with a NaN or infinite input value scores NaN, and a Threshold decision flags it out-of-distribution (fail
/// closed); the head counts such rows (<see cref="OodHeadTransformer.NonFiniteRowCount"/>) and reports them on the
/// MLContext's log. A row whose vector is not of the column's declared size is an error naming the row.
/// </remarks>
public sealed class MahalanobisEstimator : OodHeadEstimator
{
    internal MahalanobisEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, string labelColumnName,
        int? gpuDeviceId, bool? fallbackToCpu, int? blockSize)
        : base(catalog, outputColumnName, inputColumnName, gpuDeviceId, fallbackToCpu, blockSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        LabelColumnName = labelColumnName;
    }

    /// <summary>The class label column the Gaussians are fitted per.</summary>
    public string LabelColumnName { get; }

    private protected override OodHeadModel BuildModel(IDataView trainingData, int inputSize)
    {
        TrainingRows.LabelColumn(trainingData.Schema, LabelColumnName);
        var host = Catalog.Environment.Register(nameof(MahalanobisEstimator));
        var gaussians = ClassGaussians.Fit(host, trainingData, InputColumnName, LabelColumnName, inputSize);
        // A zero covariance has an empty pseudo-inverse: the head would score every input 0 (the most in-distribution
        // score there is), NaN included. Refuse it rather than ship a detector that never says "I don't know".
        if (gaussians.Rank == 0)
        {
            throw new InvalidOperationException(
                OodErrors.Format(OodErrors.CovarianceRankZero, InputColumnName, gaussians.Rows, gaussians.Classes, LabelColumnName));
        }
        using (var channel = host.Start("Mahalanobis"))
        {
            channel.Info(MessageSensitivity.None,
                $"Mahalanobis: {gaussians.Classes} classes from {gaussians.Rows:N0} rows; shared covariance of rank {gaussians.Rank} of {inputSize}.");
        }
        var parameters = new Dictionary<string, string>
        {
            ["label_column"] = LabelColumnName,
            ["classes"] = gaussians.Classes.ToString(CultureInfo.InvariantCulture),
            ["rank"] = gaussians.Rank.ToString(CultureInfo.InvariantCulture),
        };
        return MahalanobisHeadGraph.Build(Describe(MahalanobisHeadGraph.Kind, inputSize, parameters), gaussians);
    }
}
