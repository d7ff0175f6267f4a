using System.Globalization;
using Ml.Ood.Trainers;
using Ml.Ood.Transforms;

namespace Ml.Ood;

/// <summary>
/// What a threshold head (<c>ml.Ood().Threshold(...)</c>) was fitted to, typed: read from the head's saved settings,
/// so it is the same on the fitted transformer and on one restored by <c>ml.Ood().Load</c>.
/// </summary>
/// <param name="Threshold">The fitted t: a row is in-distribution when its score is a finite number &lt;= t.</param>
/// <param name="IdTruePositiveRate">The fraction of in-distribution rows t keeps as in-distribution.</param>
/// <param name="IdRowCount">How many in-distribution rows t was calibrated on; null for heads saved before it was recorded.</param>
/// <param name="IsOodColumnName">The ground-truth column whose OOD rows were skipped, or null when every row was in-distribution.</param>
/// <example>
/// <code language="csharp"><![CDATA[
/// var decision = ml.Ood().Threshold("IsOod", "KnnScore", idTruePositiveRate: 0.95, isOodColumnName: "IsOodTruth").Fit(validation);
/// Console.WriteLine(decision.ThresholdSettings.Threshold);
/// ]]></code>
/// </example>
public sealed record ThresholdSettings(float Threshold, double IdTruePositiveRate, long? IdRowCount, string? IsOodColumnName)
{
    private const string RateParameter = "id_true_positive_rate";
    private const string IdRowsParameter = "id_rows";
    private const string TruthParameter = "is_ood_column";

    /// <summary>Reads the settings of a threshold head.</summary>
    /// <param name="head">The head's description, e.g. <c>transformer.Head</c>.</param>
    /// <exception cref="InvalidOperationException">The head is not a threshold head.</exception>
    public static ThresholdSettings FromHead(OodHeadInfo head)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.Kind != ThresholdHeadGraph.Kind)
            throw new InvalidOperationException(OodErrors.Format(OodErrors.NotThatHead, head.OutputColumnName, head.Kind, ThresholdHeadGraph.Kind));
        var p = head.Parameters;
        return new ThresholdSettings(
            head.GetSingle(ThresholdHeadGraph.ThresholdName),
            double.Parse(p[RateParameter], CultureInfo.InvariantCulture),
            p.TryGetValue(IdRowsParameter, out string? rows) ? long.Parse(rows, CultureInfo.InvariantCulture) : null,
            p.GetValueOrDefault(TruthParameter));
    }

    /// <summary>The head's parameters, as <see cref="FromHead"/> reads them back.</summary>
    internal static Dictionary<string, string> ToParameters(ThresholdCalibration calibration, ThresholdEstimator estimator)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ThresholdHeadGraph.ThresholdName] = calibration.Threshold.ToString("R", CultureInfo.InvariantCulture),
            [RateParameter] = estimator.IdTruePositiveRate.ToString("R", CultureInfo.InvariantCulture),
            [IdRowsParameter] = calibration.IdRows.ToString(CultureInfo.InvariantCulture),
        };
        if (estimator.IsOodColumnName is string truth)
            parameters[TruthParameter] = truth;
        return parameters;
    }
}

/// <summary>The typed settings of a fitted threshold head, as a property of its transformer.</summary>
public static class ThresholdSettingsExtensions
{
    extension(OodHeadTransformer transformer)
    {
        /// <summary>
        /// The fitted threshold and its settings; throws <see cref="InvalidOperationException"/> on a head that is not
        /// a threshold head.
        /// </summary>
        public ThresholdSettings ThresholdSettings => ThresholdSettings.FromHead(transformer.Head);
    }
}
