using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms;

namespace Ml.Ood.Trainers;

/// <summary>
/// The "unknown" decision: fits on in-distribution rows the threshold t that keeps the requested fraction of
/// them (score &lt;= t counts as in-distribution, as in FPR@95TPR), and writes <see langword="true"/> (OOD) when a
/// row's score is above t, NaN or infinite.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: one pass over the score column (and the truth column, if given) |
/// | Input column data type | <xref:System.Single> OOD score (higher = more likely OOD); optional <xref:System.Boolean> truth column (true = OOD) |
/// | Output column data type | <xref:System.Boolean> (true = out-of-distribution) |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// t is the smallest in-distribution score such that at least a fraction <see cref="IdTruePositiveRate"/> of the
/// in-distribution scores are &lt;= t, i.e. the ceil(rate * n)-th smallest of the n ID scores. Fit it on held-out
/// ID data, not on the rows another head was fitted on. Without <see cref="IsOodColumnName"/> every row counts as
/// in-distribution; with it, Fit reads that Boolean column and skips the rows where it is <see langword="true"/>, so
/// a mixed validation view can be used as it is. The truth column must hold the ground truth: a column that MlOod
/// marked as its own decision (<see cref="OodAnnotations.IsDecision"/>, e.g. another threshold's output) is refused.
/// The fitted value is saved with the model; read it with the typed property
/// <c>transformer.ThresholdSettings.Threshold</c> (<see cref="ThresholdSettings"/>), in memory or after
/// <c>ml.Ood().Load</c>. NaN or infinite scores of in-distribution rows are an error at Fit. The decision fails
/// closed: a row is in-distribution only when its score is a finite number &lt;= t, so a NaN or infinite score
/// (an upstream failure, an overflow) is out-of-distribution. Create it with <c>ml.Ood().Threshold(...)</c>.
/// </remarks>
public sealed class ThresholdEstimator : OodHeadEstimator
{
    /// <summary>The name of the fitted threshold in <see cref="OodHeadInfo.Parameters"/>; <see cref="ThresholdSettings"/> reads it typed.</summary>
    public const string ThresholdParameter = ThresholdHeadGraph.ThresholdName;

    internal ThresholdEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, double idTruePositiveRate,
        string? isOodColumnName, int? gpuDeviceId, bool? fallbackToCpu, int? blockSize)
        : base(catalog, outputColumnName, inputColumnName, gpuDeviceId, fallbackToCpu, blockSize)
    {
        if (!(idTruePositiveRate > 0 && idTruePositiveRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(idTruePositiveRate), idTruePositiveRate, "The ID true positive rate must be in (0, 1].");
        if (isOodColumnName is not null)
            ArgumentException.ThrowIfNullOrWhiteSpace(isOodColumnName);
        IdTruePositiveRate = idTruePositiveRate;
        IsOodColumnName = isOodColumnName;
    }

    /// <summary>The fraction of in-distribution rows the threshold keeps as in-distribution (default 0.95).</summary>
    public double IdTruePositiveRate { get; }

    /// <summary>
    /// The Boolean ground-truth column (true = out-of-distribution) whose true rows Fit skips, or
    /// <see langword="null"/> when every row of the training view is in-distribution.
    /// </summary>
    public string? IsOodColumnName { get; }

    private protected override OodHeadOutputKind OutputKind => OodHeadOutputKind.Decision;

    private protected override bool InputIsScalar => true;

    private protected override void CheckOtherInputs(DataViewSchema inputSchema)
    {
        if (IsOodColumnName is not null)
            HeadSchema.CheckTruth(inputSchema, IsOodColumnName, "isOodColumnName");
    }

    private protected override void CheckOtherInputs(SchemaShape inputSchema)
    {
        if (IsOodColumnName is not null)
            HeadSchema.CheckTruth(inputSchema, IsOodColumnName, "isOodColumnName");
    }

    private protected override OodHeadModel BuildModel(IDataView trainingData, int inputSize)
    {
        var calibration = ThresholdCalibration.Fit(trainingData, InputColumnName, IsOodColumnName, IdTruePositiveRate);
        using (var channel = Catalog.Environment.Register(nameof(ThresholdEstimator)).Start("Threshold"))
        {
            channel.Info(MessageSensitivity.None,
                $"Threshold on '{InputColumnName}': {calibration.Threshold:R} keeps {IdTruePositiveRate:P1} of {calibration.IdRows:N0} ID rows" +
                (IsOodColumnName is null ? "." : $" ({calibration.SkippedOodRows:N0} rows marked OOD in '{IsOodColumnName}' skipped)."));
        }
        return ThresholdHeadGraph.Build(Describe(ThresholdHeadGraph.Kind, inputSize, ThresholdSettings.ToParameters(calibration, this)), calibration.Threshold);
    }
}
