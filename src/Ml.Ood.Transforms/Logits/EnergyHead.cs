using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>The energy head's settings.</summary>
/// <param name="Temperature">T &gt; 0 that divides the logits; 1 in the paper's main results.</param>
[OodHeadKind("energy")]
public sealed record EnergySettings(float Temperature) : OodHeadSettings;

/// <summary>
/// Energy score (Liu et al., NeurIPS 2020): E(x) = -T * log sum_c exp(z_c / T) over a row of logits. Higher means
/// more likely out-of-distribution.
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
/// Create it with <c>ml.Ood().Energy(...)</c>. On probabilities the energy is a constant, so Fit refuses them; see
/// <see cref="LogitHeadEstimator{TSettings}"/> for that check, NaN rows and wrong-length rows.
/// </remarks>
public sealed class EnergyEstimator : LogitHeadEstimator<EnergySettings>
{
    internal EnergyEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, float temperature,
        OodExecutionOptions? execution, bool allowProbabilities)
        : base(catalog, "energy", outputColumnName, inputColumnName, new EnergySettings(Temperatures.Check(temperature)), execution, allowProbabilities)
    {
    }

    /// <summary>The temperature T &gt; 0 that divides the logits.</summary>
    public float Temperature => Settings.Temperature;

    private protected override string Score(HeadGraph g, string logits) => g.Energy(logits, Temperature);
}
