using Ml.Ood.Transforms.Graph;

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

    private protected override string Score(HeadGraph g, string logits)
    {
        string p = g.Softmax(logits);
        int terms = Math.Min(Settings.M, g.InputSize);
        if (terms < g.InputSize)
        {
            p = g.TopK(p, terms).Values;
        }

        string oneMinusP = g.Node("Sub", g.Constant(1f), p);
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
