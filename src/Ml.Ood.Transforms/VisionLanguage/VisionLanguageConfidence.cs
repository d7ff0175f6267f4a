using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>
/// The vision-language confidences (higher = in-distribution) as graph pieces, written once for the heads that use them:
/// the NegLabel head (which writes their negation) and OODD's vision-language variant (whose s_id they are).
/// </summary>
internal static class VisionLanguageConfidence
{
    /// <summary>MCM's confidence (Ming et al., NeurIPS 2022): max_i softmax(s / tau)_i over the class cosines s.</summary>
    public static string Mcm(HeadGraph g, LabelEmbeddings idLabels, string unitImage, float temperature)
        => g.Node("Neg", g.NegativeMaxSoftmax(g.Divide(idLabels.Cosines(g, unitImage, "id_labels_t"), temperature)));

    /// <summary>
    /// NegLabel's grouped confidence (Jiang et al., ICLR 2024): mean_g 1 / (1 + exp(lse~_g - lse)), the share of the softmax
    /// on the classes with group g of the negatives (<paramref name="grouped"/>, already in group order), averaged over groups.
    /// </summary>
    public static string NegativeLabels(HeadGraph g, LabelEmbeddings idLabels, LabelEmbeddings grouped, int groups, string unitImage, float temperature)
    {
        string idLse = g.LogSumExp(g.Divide(idLabels.Cosines(g, unitImage, "id_labels_t"), temperature), keepDims: true);
        // [n, M] -> [n, G, M / G]: Reshape's 0 keeps the batch dimension.
        string negatives = g.Divide(grouped.Cosines(g, unitImage, "negative_labels_t"), temperature);
        string reshaped = g.Node("Reshape", negatives, g.Builder.AddInitializer("group_shape", [0L, groups, grouped.Count / groups], 3));
        string negativeLse = g.Node("Squeeze", g.LogSumExp(reshaped, axis: 2, keepDims: true), g.Axis(2));
        string ratio = g.Node("Exp", g.Node("Sub", negativeLse, idLse));
        string perGroup = g.Node("Reciprocal", g.Node("Add", ratio, g.Constant(1f)));
        return g.Divide(g.Node("Squeeze", g.RowSum(perGroup, groups), g.Axis(1)), groups);
    }
}
