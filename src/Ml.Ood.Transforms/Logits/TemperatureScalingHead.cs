using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>
/// The temperature-scaling head's settings, for a given temperature and for one fitted on labelled validation rows (the
/// same head; the fit's results are null when T was given).
/// </summary>
/// <param name="Temperature">T &gt; 0 that divides the logits before the softmax.</param>
/// <param name="LabelColumn">The label column T was fitted on; null when T was given.</param>
/// <param name="ValidationRows">How many labelled rows T was fitted on; null when T was given.</param>
/// <param name="ValidationNegativeLogLikelihood">
/// The mean negative log-likelihood of softmax(z / T) on those rows, in nats, at the fitted (float) T; null when T was given.
/// </param>
[OodHeadKind("temperature_scaling")]
public sealed record TemperatureScalingSettings(float Temperature, string? LabelColumn = null, long? ValidationRows = null,
    double? ValidationNegativeLogLikelihood = null) : OodHeadSettings;

/// <summary>
/// Temperature scaling (Guo et al., ICML 2017; OpenOOD <c>temp_scaling_postprocessor</c>) with a given temperature: minus the
/// largest probability of softmax(z / T), -max_c softmax(z / T)_c. Higher means more likely out-of-distribution (OpenOOD
/// returns max softmax(z / T), the confidence).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No (Fit reads the first 64 rows to refuse probabilities) |
/// | Input column data type | Known-sized vector of <xref:System.Single> (logits) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Transforms | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// Create it with <c>ml.Ood().TemperatureScaling(output, logits, temperature)</c>. To fit T on labelled in-distribution
/// validation rows (the temperature that minimises their negative log-likelihood, as the paper and OpenOOD do), use the
/// overload with a label column in Ml.Ood.Trainers (<c>OodCalibrationCatalog</c>): it makes this same head. T = 1 is MSP.
/// See <see cref="LogitHeadEstimator{TSettings}"/> for the probability check, NaN rows and wrong-length rows.
/// </remarks>
public sealed class TemperatureScalingEstimator : LogitHeadEstimator<TemperatureScalingSettings>
{
    internal TemperatureScalingEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, float temperature,
        OodExecutionOptions? execution, bool allowProbabilities)
        : base(catalog, "temperature scaling", outputColumnName, inputColumnName,
            new TemperatureScalingSettings(Temperatures.Check(temperature)), execution, allowProbabilities)
    {
    }

    /// <summary>The temperature T &gt; 0 that divides the logits.</summary>
    public float Temperature => Settings.Temperature;

    /// <summary>-max_c softmax(z / T)_c: ONNX Runtime's softmax shifts by the row's maximum, so no T can overflow it.</summary>
    internal static string Formula(HeadGraph g, string logits, float temperature) => g.NegativeMaxSoftmax(g.Divide(logits, temperature));

    private protected override string Score(HeadGraph g, string logits) => Formula(g, logits, Temperature);
}
