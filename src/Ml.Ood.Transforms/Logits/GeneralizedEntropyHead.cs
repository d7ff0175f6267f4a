using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>The GEN head's settings.</summary>
/// <param name="Gamma">The exponent g in (0, 1) of p^g (1 - p)^g; 0.1 in the paper and OpenOOD.</param>
/// <param name="M">How many of the largest probabilities enter the sum (all of them when M is at least the class count); 100 by default.</param>
[OodHeadKind("gen")]
public sealed record GeneralizedEntropySettings(float Gamma, int M) : OodHeadSettings;

/// <summary>
/// GEN, the generalized entropy of the softmax (Liu et al., CVPR 2023; OpenOOD <c>gen_postprocessor</c>): the sum over the
/// M largest probabilities p of p^g (1 - p)^g. Higher means more likely out-of-distribution (OpenOOD returns its negation).
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
/// Create it with <c>ml.Ood().GeneralizedEntropy(...)</c>; see <see cref="LogitHeadEstimator{TSettings}"/> for the
/// probability check and rows it cannot score.
/// </remarks>
public sealed class GeneralizedEntropyEstimator : LogitHeadEstimator<GeneralizedEntropySettings>
{
    internal GeneralizedEntropyEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, float gamma, int m,
        OodExecutionOptions? execution, bool allowProbabilities)
        : base(catalog, "GEN", outputColumnName, inputColumnName, Checked(gamma, m), execution, allowProbabilities)
    {
    }

    /// <remarks>
    /// 1 - p rounds to 0 in float for a confident row (p_max = 1 - 1e-9 is 1f), which drops the top class's term
    /// (1 - p_max)^g, the largest of the sum when g = 0.1 (measured on the quick start's LeNet: scores 0.165 off). So
    /// 1 - p_max is taken as the mass of the other classes, exp(LSE(others) - LSE(all)), with no cancellation; every other
    /// p is at most 1/2, where 1 - p is exact enough. The probabilities of the M largest logits are exp(z - LSE(z)).
    /// </remarks>
    private protected override string Score(HeadGraph g, string logits)
    {
        int terms = Math.Min(Settings.M, g.InputSize);
        var (top, indices) = g.TopK(logits, terms);
        string lse = g.LogSumExp(logits, keepDims: true);
        string p = g.Node("Exp", g.Node("Sub", top, lse));
        string oneMinusP = g.Node("Sub", g.Constant(1f), p);
        if (g.InputSize > 1)
        {
            string othersMass = g.Node("Exp", g.Node("Sub", g.LogSumExp(g.WithoutColumnAt(logits, g.Column(indices, 0)), keepDims: true), lse));
            oneMinusP = terms == 1 ? othersMass : g.Node("Concat", [othersMass, g.Node("Slice", oneMinusP, g.Constant(1L), g.Constant((long)terms), g.Axis(1))],
                OnnxAttributes.Int("axis", 1));
        }

        string sum = g.RowSum(g.Node("Mul", g.Power(p, Settings.Gamma), g.Power(oneMinusP, Settings.Gamma)), terms);
        return g.Node("Squeeze", sum, g.Axis(1));
    }

    private static GeneralizedEntropySettings Checked(float gamma, int m)
    {
        if (!(gamma > 0 && gamma < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, OodErrors.Format(OodErrors.GammaOutOfRange, gamma));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        return new GeneralizedEntropySettings(gamma, m);
    }
}
