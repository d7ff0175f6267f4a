using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Transforms;

/// <summary>
/// The ONNX graphs of the vision-language heads (docs/FORMULAS.md, "Vision-language heads"): cosine similarities
/// between the image embedding and label text embeddings, one GEMM per label set, then a softmax-type score.
/// </summary>
internal static class NegativeLabelGraphs
{
    public const string McmKind = "mcm";
    public const string NegLabelKind = "neglabel";

    /// <summary>
    /// MCM (Ming et al., NeurIPS 2022), negated: -max_i softmax(s / tau)_i with s_i = cos(image, idText_i),
    /// computed as -1 / sum_i exp((s_i - max s) / tau) so that tau = 0.01 (logits up to 100) cannot overflow.
    /// </summary>
    public static OodHeadModel Mcm(OodHeadInfo info, LabelEmbeddings idLabels, float temperature)
    {
        var g = OodHeadModel.Start(info);
        string axis1 = g.AddInitializer("axis_1", [1L], 1);
        string logits = ScaledCosines(g, info, UnitImage(g, info, axis1), "id_labels_t", idLabels, temperature);
        string max = g.AddNode("ReduceMax", [logits, axis1], attributes: OnnxAttributes.Int("keepdims", 1));
        string sum = g.AddNode("ReduceSum", [g.AddNode("Exp", g.AddNode("Sub", [logits, max])), axis1], attributes: OnnxAttributes.Int("keepdims", 0));
        g.AddNode("Neg", g.AddNode("Reciprocal", sum), OodHeadModel.ScoreOutputName);
        return OodHeadModel.Finish(g, info);
    }

    /// <summary>
    /// NegLabel (Jiang et al., ICLR 2024, eq. 5 with the grouping strategy of section 3.3), negated. For group g
    /// of the negatives, S_g = sum_i e^{s_i/tau} / (sum_i e^{s_i/tau} + sum_{j in g} e^{s~_j/tau}); the score is
    /// -mean_g S_g. <paramref name="negativeLabels"/> holds exactly <paramref name="groups"/> equal contiguous groups.
    /// </summary>
    /// <remarks>
    /// S_g is computed as 1 / (1 + exp(lse~_g - lse)) with lse = log sum_i e^{s_i/tau} and lse~_g the same over the
    /// group, each shifted by its own maximum: with tau = 0.01 the logits differ by up to 200, where a common
    /// shift would underflow one of the sums to 0; the difference of log-sum-exps stays exact, and a huge
    /// difference gives exp = inf and S_g = 0, its correct limit.
    /// </remarks>
    public static OodHeadModel NegLabel(OodHeadInfo info, LabelEmbeddings idLabels, LabelEmbeddings negativeLabels, int groups, float temperature)
    {
        var g = OodHeadModel.Start(info);
        string axis1 = g.AddInitializer("axis_1", [1L], 1);
        string axis2 = g.AddInitializer("axis_2", [2L], 1);
        string image = UnitImage(g, info, axis1);

        string idLogits = ScaledCosines(g, info, image, "id_labels_t", idLabels, temperature);
        string idLse = GraphOps.LogSumExp(g, idLogits, axis1, keepDims: true);

        // [n, M] -> [n, G, M / G]: Reshape's 0 keeps the batch dimension.
        string negativeLogits = ScaledCosines(g, info, image, "negative_labels_t", negativeLabels, temperature);
        string grouped = g.AddNode("Reshape", [negativeLogits, g.AddInitializer("group_shape", [0L, groups, negativeLabels.Count / groups], 3)]);
        string negativeLse = g.AddNode("Squeeze", [GraphOps.LogSumExp(g, grouped, axis2, keepDims: true), axis2]);

        string ratio = g.AddNode("Exp", g.AddNode("Sub", [negativeLse, idLse]));
        string perGroup = g.AddNode("Reciprocal", g.AddNode("Add", [ratio, g.AddInitializer("one", [1f])]));
        string mean = g.AddNode("ReduceMean", [perGroup, axis1], attributes: OnnxAttributes.Int("keepdims", 0));
        g.AddNode("Neg", mean, OodHeadModel.ScoreOutputName);
        return OodHeadModel.Finish(g, info);
    }

    /// <summary>The image embedding at unit L2 norm; a zero embedding stays zero (cosine 0 with every label).</summary>
    private static string UnitImage(OnnxGraphBuilder g, OodHeadInfo info, string axis1) => GraphOps.UnitRows(g, info.InputColumnName, axis1);

    /// <summary>cos(image, label) / tau for every label: one MatMul with the unit label matrix [width, count].</summary>
    private static string ScaledCosines(OnnxGraphBuilder g, OodHeadInfo info, string image, string name, LabelEmbeddings labels, float temperature)
    {
        string matrix = g.AddInitializer(name, labels.Transposed(), info.InputSize, labels.Count);
        string cosines = g.AddNode("MatMul", [image, matrix]);
        return temperature == 1f ? cosines : g.AddNode("Div", [cosines, g.AddInitializer($"{name}_temperature", [temperature])]);
    }
}
