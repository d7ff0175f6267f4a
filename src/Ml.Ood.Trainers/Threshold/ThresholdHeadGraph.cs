using Ml.Ood.Transforms;

namespace Ml.Ood.Trainers;

/// <summary>
/// The threshold head's graph: a row is out-of-distribution unless its score is a finite number &lt;= t.
/// </summary>
internal static class ThresholdHeadGraph
{
    public const string Kind = "threshold";

    /// <summary>The initializer that holds t, and the name of its entry in the head's parameters.</summary>
    public const string ThresholdName = "threshold";

    /// <remarks>
    /// Fail closed: <c>Greater(score, t)</c> is false for NaN, so a row whose score could not be computed passed as
    /// in-distribution. Not(LessOrEqual) is true for NaN, and IsInf adds -infinity (which compares &lt;= t) and
    /// +infinity (already above any finite t, kept explicit should t itself be infinite). All three ops are in
    /// ONNX's default domain at the opset MlOod writes (LessOrEqual since 12, IsInf since 10).
    /// </remarks>
    public static OodHeadModel Build(OodHeadInfo info, float threshold)
    {
        var g = OodHeadModel.Start(info);
        string score = info.InputColumnName;
        string withinThreshold = g.AddNode("LessOrEqual", [score, g.AddInitializer(ThresholdName, [threshold])]);
        string infinite = g.AddNode("IsInf", score);
        string outOfDistribution = g.AddNode("Or", [g.AddNode("Not", withinThreshold), infinite]);
        g.AddNode("Squeeze", [outOfDistribution, g.AddInitializer("axis_1", [1L], 1)], OodHeadModel.DecisionOutputName);
        return OodHeadModel.Finish(g, info);
    }
}
