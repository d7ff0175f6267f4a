using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Transforms;

/// <summary>The ONNX graphs of the heads that score a row of logits (docs/FORMULAS.md, "Heads on logits").</summary>
internal static class LogitHeadGraphs
{
    public const string EnergyKind = "energy";
    public const string MspKind = "msp";
    public const string MaxLogitKind = "maxlogit";

    /// <summary>Energy, Liu et al. 2020: E(x) = -T * logsumexp(z / T), already "higher = OOD".</summary>
    public static OodHeadModel Energy(OodHeadInfo info, float temperature)
    {
        var g = OodHeadModel.Start(info);
        string logits = info.InputColumnName;
        if (temperature != 1f)
            logits = g.AddNode("Div", [logits, g.AddInitializer("temperature", [temperature])]);
        string logSumExp = GraphOps.LogSumExp(g, logits, ClassAxis(g), keepDims: false);
        if (temperature == 1f)
            g.AddNode("Neg", logSumExp, OodHeadModel.ScoreOutputName);
        else
            g.AddNode("Mul", [logSumExp, g.AddInitializer("minus_temperature", [-temperature])], OodHeadModel.ScoreOutputName);
        return OodHeadModel.Finish(g, info);
    }

    /// <summary>MSP, Hendrycks and Gimpel 2017, negated: -max softmax(z) = -1 / sum exp(z - max z).</summary>
    public static OodHeadModel MaxSoftmaxProbability(OodHeadInfo info)
    {
        var g = OodHeadModel.Start(info);
        string axes = ClassAxis(g);
        string max = g.AddNode("ReduceMax", [info.InputColumnName, axes], attributes: OnnxAttributes.Int("keepdims", 1));
        string shifted = g.AddNode("Sub", [info.InputColumnName, max]);
        string sum = g.AddNode("ReduceSum", [g.AddNode("Exp", shifted), axes], attributes: OnnxAttributes.Int("keepdims", 0));
        g.AddNode("Neg", g.AddNode("Reciprocal", sum), OodHeadModel.ScoreOutputName);
        return OodHeadModel.Finish(g, info);
    }

    /// <summary>MaxLogit, Hendrycks et al. 2022, negated: -max z.</summary>
    public static OodHeadModel MaxLogit(OodHeadInfo info)
    {
        var g = OodHeadModel.Start(info);
        string max = g.AddNode("ReduceMax", [info.InputColumnName, ClassAxis(g)], attributes: OnnxAttributes.Int("keepdims", 0));
        g.AddNode("Neg", max, OodHeadModel.ScoreOutputName);
        return OodHeadModel.Finish(g, info);
    }

    private static string ClassAxis(OnnxGraphBuilder g) => g.AddInitializer("class_axis", [1L], 1);
}
