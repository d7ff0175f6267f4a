using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood;

/// <summary>
/// Double-precision arithmetic inside a head graph, for scores that are differences of large terms (RMDS subtracts two
/// Mahalanobis distances of similar size: in float their rounding, about 1e-6 of each, is 1e-5 of a small score).
/// The input is cast to double and the score back to float; fitted values travel as two float initializers, the value
/// rounded to float and its remainder, whose sum in double restores it to about 2^-48 relative (ONNX Runtime folds
/// that sum once, when it loads the graph).
/// </summary>
internal static class DoublePrecision
{
    /// <summary><paramref name="x"/> cast to double.</summary>
    public static string ToDouble(this HeadGraph g, string x) => g.Node("Cast", [x], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Double));

    /// <summary><paramref name="x"/> cast to float (a head's score is a float).</summary>
    public static string ToSingle(this HeadGraph g, string x) => g.Node("Cast", [x], OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Float));

    /// <summary>Fitted values as a double constant of shape <paramref name="dims"/>, stored as float + float remainder.</summary>
    public static string DoubleWeights(this HeadGraph g, string name, ReadOnlySpan<double> values, params long[] dims)
    {
        var high = new float[values.Length];
        var low = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            high[i] = (float)values[i];
            low[i] = (float)(values[i] - high[i]);
        }
        return g.Node("Add", g.ToDouble(g.Weights($"{name}_high", high, dims)), g.ToDouble(g.Weights($"{name}_low", low, dims)));
    }
}
