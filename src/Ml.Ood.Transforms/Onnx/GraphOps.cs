namespace Ml.Ood.Transforms.Onnx;

/// <summary>Numerically careful building blocks that several heads' graphs share.</summary>
internal static class GraphOps
{
    /// <summary>
    /// log sum exp of <paramref name="x"/> over <paramref name="axis"/> (an int64 [1] initializer), shifted by the
    /// maximum so that no exponent is positive: stable for any magnitude, which ONNX's ReduceLogSumExp does not promise.
    /// </summary>
    public static string LogSumExp(OnnxGraphBuilder g, string x, string axis, bool keepDims)
    {
        string max = g.AddNode("ReduceMax", [x, axis], attributes: OnnxAttributes.Int("keepdims", 1));
        string sum = g.AddNode("ReduceSum", [g.AddNode("Exp", g.AddNode("Sub", [x, max])), axis], attributes: OnnxAttributes.Int("keepdims", keepDims ? 1 : 0));
        return g.AddNode("Add", [g.AddNode("Log", sum), keepDims ? max : g.AddNode("Squeeze", [max, axis])]);
    }

    /// <summary>
    /// Rows of <paramref name="x"/> at unit L2 norm over <paramref name="axis"/>; a zero row stays zero (it has no
    /// direction), instead of becoming NaN.
    /// </summary>
    /// <remarks>
    /// Each row is first divided by its largest magnitude, so that the sum of squares lies in [1, width]: in float, a
    /// row of 1e-30 values would otherwise have a sum of squares of 0 (a zero vector, then a huge one after the
    /// division) and a row of 1e30 values an infinite one (a zero vector).
    /// </remarks>
    public static string UnitRows(OnnxGraphBuilder g, string x, string axis)
    {
        string tiny = g.AddInitializer($"tiny_{x}", [float.Epsilon]);
        string largest = g.AddNode("ReduceMax", [g.AddNode("Abs", x), axis], attributes: OnnxAttributes.Int("keepdims", 1));
        string scaled = g.AddNode("Div", [x, g.AddNode("Max", [largest, tiny])]);
        string norm = g.AddNode("Sqrt", g.AddNode("ReduceSumSquare", [scaled, axis], attributes: OnnxAttributes.Int("keepdims", 1)));
        return g.AddNode("Div", [scaled, g.AddNode("Max", [norm, tiny])]);
    }
}
