using System.Numerics.Tensors;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// AdaNeg's per-row numbers from one row's label logits (cos / tau): the grouped NegLabel confidence and the label
/// entropy, in double (the logits come from float dot products).
/// </summary>
internal static class AdaNegMath
{
    /// <summary>The official code's <c>1e-8</c> inside the entropy's logarithm.</summary>
    private const double EntropyEpsilon = 1e-8;

    /// <summary>
    /// The grouped NegLabel confidence (<c>ttaprompt_postprocessor.py</c> lines 786-809 and 907-930): for each group of
    /// kept negatives, the softmax mass on the C class logits among the class logits and the group's, averaged over groups.
    /// Computed as 1 / (1 + exp(lse(group) - lse(classes))), each log-sum-exp shifted by its own maximum.
    /// </summary>
    /// <param name="idLogits">The C class logits.</param>
    /// <param name="negativeLogits">The M negative logits (all of them; <paramref name="groupOrder"/> picks the kept ones).</param>
    /// <param name="groupOrder">The kept negatives in group order: group g is entries g x (kept / G) onwards.</param>
    /// <param name="groups">G.</param>
    public static double GroupedConfidence(ReadOnlySpan<float> idLogits, ReadOnlySpan<float> negativeLogits, ReadOnlySpan<int> groupOrder, int groups)
    {
        double idLse = LogSumExp(idLogits);
        int perGroup = groupOrder.Length / groups;
        double total = 0;
        for (int g = 0; g < groups; g++)
        {
            var members = groupOrder.Slice(g * perGroup, perGroup);
            double max = double.NegativeInfinity;
            foreach (int j in members)
            {
                max = Math.Max(max, negativeLogits[j]);
            }
            double sum = 0;
            foreach (int j in members)
            {
                sum += Math.Exp(negativeLogits[j] - max);
            }
            total += 1 / (1 + Math.Exp(max + Math.Log(sum) - idLse));
        }
        return total / groups;
    }

    /// <summary>
    /// -sum p log(p + 1e-8) of p = softmax(<paramref name="logits"/>) (lines 817-822 and 846-851): the official code's
    /// entropy of the class (negative) softmax, by which a full memory keeps its most confident rows.
    /// </summary>
    public static double Entropy(ReadOnlySpan<float> logits)
    {
        double max = TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float l in logits)
        {
            sum += Math.Exp(l - max);
        }
        double entropy = 0;
        foreach (float l in logits)
        {
            double p = Math.Exp(l - max) / sum;
            entropy -= p * Math.Log(p + EntropyEpsilon);
        }
        return entropy;
    }

    private static double LogSumExp(ReadOnlySpan<float> logits)
    {
        double max = TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float l in logits)
        {
            sum += Math.Exp(l - max);
        }
        return max + Math.Log(sum);
    }
}
