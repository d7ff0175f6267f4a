using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Ml.Ood;

/// <summary>
/// What a threshold head (<c>ml.Ood().Threshold(...)</c>) was fitted to, typed: read from the head's saved settings, so
/// it is the same on the fitted transformer and on one restored by <c>ml.Ood().Load</c>.
/// </summary>
/// <param name="Threshold">The fitted t: a row is in-distribution when its score is a finite number &lt;= t.</param>
/// <param name="IdTruePositiveRate">The fraction of in-distribution rows t keeps as in-distribution.</param>
/// <param name="IdRowCount">How many in-distribution rows t was calibrated on; null for heads saved before it was recorded.</param>
/// <param name="IsOodColumnName">The ground-truth column whose OOD rows were skipped, or null when every row was in-distribution.</param>
[OodHeadKind("threshold")]
public sealed record ThresholdSettings(
    float Threshold,
    double IdTruePositiveRate,
    [property: OodSettingName("id_rows")] long? IdRowCount,
    [property: OodSettingName("is_ood_column")] string? IsOodColumnName) : OodHeadSettings;

/// <summary>
/// The "unknown" decision: fits on in-distribution rows the threshold t that keeps the requested fraction of them
/// (score &lt;= t counts as in-distribution, as in FPR@95TPR), and writes <see langword="true"/> (OOD) when a row's score
/// is above t, NaN or infinite.
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
/// t is the ceil(rate * n)-th smallest of the n ID scores. Fit it on held-out ID data, not on the rows another head was
/// fitted on. With <see cref="IsOodColumnName"/>, Fit skips the rows where that Boolean column is true, so a mixed
/// validation view can be used as it is; a column MlOod marked as its own decision is refused as truth. Read the fitted
/// value with <c>transformer.ThresholdSettings.Threshold</c> (<see cref="ThresholdSettings"/>). NaN or infinite scores of
/// in-distribution rows are an error at Fit. The decision fails closed: a row is in-distribution only when its score is
/// a finite number &lt;= t (<c>Not(LessOrEqual(score, t)) Or IsInf(score)</c>: <c>Greater(score, t)</c> would pass NaN as
/// in-distribution). Create it with <c>ml.Ood().Threshold(...)</c>.
/// </remarks>
public sealed class ThresholdEstimator : OodHeadEstimator<ThresholdSettings>
{
    internal ThresholdEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, double idTruePositiveRate,
        string? isOodColumnName, OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, execution)
    {
        if (!(idTruePositiveRate > 0 && idTruePositiveRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(idTruePositiveRate), idTruePositiveRate, OodErrors.Format(OodErrors.TruePositiveRateOutOfRange, idTruePositiveRate));
        }

        if (isOodColumnName is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(isOodColumnName);
        }

        IdTruePositiveRate = idTruePositiveRate;
        IsOodColumnName = isOodColumnName;
    }

    /// <summary>The fraction of in-distribution rows the threshold keeps as in-distribution (default 0.95).</summary>
    public double IdTruePositiveRate { get; }

    /// <summary>The Boolean ground-truth column (true = OOD) whose true rows Fit skips, or null when every row is in-distribution.</summary>
    public string? IsOodColumnName { get; }

    private protected override OodHeadOutputKind OutputKind => OodHeadOutputKind.Decision;

    private protected override bool InputIsScalar => true;

    private protected override void CheckOtherInputs(DataViewSchema inputSchema)
    {
        if (IsOodColumnName is not null)
        {
            HeadSchema.CheckTruth(inputSchema, IsOodColumnName, "isOodColumnName");
        }
    }

    private protected override void CheckOtherInputs(SchemaShape inputSchema)
    {
        if (IsOodColumnName is not null)
        {
            HeadSchema.CheckTruth(inputSchema, IsOodColumnName, "isOodColumnName");
        }
    }

    private protected override FittedHead<ThresholdSettings> FitHead(IDataView trainingData, int inputSize)
    {
        var calibration = ThresholdCalibration.Fit(trainingData, InputColumnName, IsOodColumnName, IdTruePositiveRate);
        using (var channel = Catalog.Environment.Register(nameof(ThresholdEstimator)).Start("Threshold"))
        {
            channel.Info(MessageSensitivity.None,
                $"Threshold on '{InputColumnName}': {calibration.Threshold:R} keeps {IdTruePositiveRate:P1} of {calibration.IdRows:N0} ID rows" +
                (IsOodColumnName is null ? "." : $" ({calibration.SkippedOodRows:N0} rows marked OOD in '{IsOodColumnName}' skipped)."));
        }
        var settings = new ThresholdSettings(calibration.Threshold, IdTruePositiveRate, calibration.IdRows, IsOodColumnName);
        return new(settings, g =>
        {
            string score = g.Input;
            string withinThreshold = g.Node("LessOrEqual", score, g.Builder.AddInitializer("threshold", [calibration.Threshold]));
            string outOfDistribution = g.Node("Or", g.Node("Not", withinThreshold), g.Node("IsInf", score));
            return g.Node("Squeeze", outOfDistribution, g.Axis(1));
        });
    }
}

/// <summary>The typed settings of a fitted threshold head, as a property of its transformer.</summary>
public static class ThresholdSettingsExtensions
{
    extension(OodHeadTransformer transformer)
    {
        /// <summary>The fitted threshold and its settings; throws <see cref="InvalidOperationException"/> on another kind of head.</summary>
        public ThresholdSettings ThresholdSettings => transformer.GetSettings<ThresholdSettings>();
    }
}
