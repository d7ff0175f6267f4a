using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>The MaxLogit head's settings: it has none.</summary>
[OodHeadKind("maxlogit")]
public sealed record MaxLogitSettings : OodHeadSettings;

/// <summary>
/// Maximum logit (Hendrycks et al., ICML 2022), negated so that higher means more likely out-of-distribution: -max_c z_c.
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
/// Create it with <c>ml.Ood().MaxLogit(...)</c>. On probabilities the maximum logit becomes the maximum probability, a
/// different score; see <see cref="LogitHeadEstimator{TSettings}"/>.
/// </remarks>
public sealed class MaxLogitEstimator : LogitHeadEstimator<MaxLogitSettings>
{
    internal MaxLogitEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName,
        OodExecutionOptions? execution, bool allowProbabilities)
        : base(catalog, "MaxLogit", outputColumnName, inputColumnName, new MaxLogitSettings(), execution, allowProbabilities)
    {
    }

    private protected override string Score(HeadGraph g, string logits) => g.NegativeMax(logits);
}
