using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>The MSP head's settings: it has none.</summary>
[OodHeadKind("msp")]
public sealed record MaxSoftmaxProbabilitySettings : OodHeadSettings;

/// <summary>
/// Maximum softmax probability (Hendrycks and Gimpel, ICLR 2017), negated so that higher means more likely
/// out-of-distribution: -max_c softmax(z)_c.
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
/// Create it with <c>ml.Ood().MaxSoftmaxProbability(...)</c>. The head applies the softmax itself, so its input must be
/// logits (softmax of probabilities squeezes every row towards uniform); see <see cref="LogitHeadEstimator{TSettings}"/>.
/// </remarks>
public sealed class MaxSoftmaxProbabilityEstimator : LogitHeadEstimator<MaxSoftmaxProbabilitySettings>
{
    internal MaxSoftmaxProbabilityEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName,
        OodExecutionOptions? execution, bool allowProbabilities)
        : base(catalog, "MSP", outputColumnName, inputColumnName, new MaxSoftmaxProbabilitySettings(), execution, allowProbabilities)
    {
    }

    private protected override string Score(HeadGraph g, string logits) => g.NegativeMaxSoftmax(logits);
}
