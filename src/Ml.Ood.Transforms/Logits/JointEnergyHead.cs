using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>The JointEnergy head's settings: it has none (no temperature, as in the paper).</summary>
[OodHeadKind("joint_energy")]
public sealed record JointEnergySettings : OodHeadSettings;

/// <summary>
/// JointEnergy for multi-label classifiers (Wang et al., "Can multi-label classification networks know what they don't
/// know?", NeurIPS 2021; github deeplearning-wisc/multi-label-ood <c>lib.py</c>): the sum of the per-label energies,
/// negated so that higher means more likely out-of-distribution: -sum_i log(1 + exp(z_i)) over the C independent label
/// logits (the paper's confidence is sum_i log(1 + exp(z_i))).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No (Fit reads the first 64 rows to refuse sigmoid probabilities) |
/// | Input column data type | Known-sized vector of <xref:System.Single> (one logit per label, before the sigmoid) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Transforms | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// Create it with <c>ml.Ood().JointEnergy(...)</c>. The labels are independent (a sigmoid each), so Fit refuses a column
/// whose first rows hold only values in [0, 1], what per-label sigmoid probabilities look like, unless
/// <c>allowProbabilities: true</c>. Each term is computed without overflow for any logit (log(1 + e^z) as the log-sum-exp
/// of (z, 0)); for a very negative z, where the term is below float's resolution of 1 + e^z, it counts 0, an error under
/// 6e-8 per label. The score is unbounded below: confident multi-label rows score far below 0. A row with a NaN or infinite
/// logit scores NaN; see <see cref="LogitHeadEstimator{TSettings}"/>.
/// </remarks>
public sealed class JointEnergyEstimator : LogitHeadEstimator<JointEnergySettings>
{
    internal JointEnergyEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, OodExecutionOptions? execution,
        bool allowProbabilities)
        : base(catalog, "JointEnergy", outputColumnName, inputColumnName, new JointEnergySettings(), execution, allowProbabilities)
    {
    }

    private protected override bool ReadsMultiLabelLogits => true;

    private protected override string Score(HeadGraph g, string logits)
    {
        // softplus(z) = log(e^z + e^0), the log-sum-exp of the pair (z, 0) along a new last axis: the LogSoftmax-based
        // piece, row by row, rather than ONNX's Softplus or an element-wise Log, whose rounding ONNX Runtime does not keep
        // alike across a tensor (docs/ARCHITECTURE.md section 4). The sum over labels is the product with ones.
        string column = g.Node("Unsqueeze", logits, g.Axis(2));
        string zeros = g.Node("Expand", g.Constant(0f), g.Node("Shape", column));
        string pairs = g.Node("Concat", [column, zeros], OnnxAttributes.Int("axis", 2));
        string softplus = g.LogSumExp(pairs, axis: 2);
        string sum = g.RowSum(softplus, g.InputSize);
        return g.Node("Neg", g.Node("Squeeze", sum, g.Axis(1)));
    }
}
