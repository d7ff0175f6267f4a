using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Transforms.Graph;

/// <summary>
/// The pieces OOD scores are made of, as ONNX nodes: each takes value names and returns one, so that a head reads like
/// its formula (ReAct is clip, linear, energy; temperature scaling is divide, MSP). Rows are on axis 0, features or
/// classes on axis 1. Numerically careful where the formula is not (stable log-sum-exp, softmax through its maximum).
/// </summary>
internal static class ScorePieces
{
    // A row must score bit for bit alike wherever it lies: alone in a PredictionEngine, or at any place in a block of
    // any size (docs/ARCHITECTURE.md section 4). In ONNX Runtime 1.31, ReduceSum and ReduceMean add a row's values in an
    // order that depends on where the row lies in memory, and the element-wise Log rounds the last values of a tensor
    // (its vector remainder) differently from the rest: energy, MSP, MCM and NegLabel scores moved by 1 to 3 ulps with
    // the block size (found by tests/Shared/HeadConformance.cs). So the log-sum-exp and the softmax are ONNX Runtime's
    // LogSoftmax and Softmax, computed row by row (MLAS), and other row sums a product with a column of ones (one GEMM
    // kernel with a prepacked weight for every row). ReduceMax, ReduceMin and ReduceSumSquare measured alike everywhere.

    /// <summary>
    /// The sum of each row of <paramref name="x"/> along its last axis (<paramref name="width"/> values), kept as a last
    /// axis of size 1: a product with a column of ones, not ReduceSum (see above).
    /// </summary>
    public static string RowSum(this HeadGraph g, string x, int width) => g.Node("MatMul", x, g.Ones(width));

    /// <summary>
    /// log sum exp of <paramref name="x"/> over <paramref name="axis"/>, its last, as max_c x_c - max_c LogSoftmax(x)_c: the
    /// largest LogSoftmax value is -log sum_c exp(x_c - max x), so this is the sum shifted by the maximum, with no positive
    /// exponent: stable for any magnitude, which ONNX's ReduceLogSumExp does not promise.
    /// </summary>
    public static string LogSumExp(this HeadGraph g, string x, long axis = 1, bool keepDims = false)
    {
        var keep = OnnxAttributes.Int("keepdims", keepDims ? 1 : 0);
        string max = g.Node("ReduceMax", [x, g.Axis(axis)], keep);
        string logSoftmax = g.Node("LogSoftmax", [x], OnnxAttributes.Int("axis", axis));
        return g.Node("Sub", max, g.Node("ReduceMax", [logSoftmax, g.Axis(axis)], keep));
    }

    /// <summary><paramref name="x"/> / <paramref name="divisor"/> (a temperature); <paramref name="x"/> itself for 1.</summary>
    public static string Divide(this HeadGraph g, string x, float divisor) => divisor == 1f ? x : g.Node("Div", x, g.Constant(divisor));

    /// <summary>The energy, Liu et al. (NeurIPS 2020): -T * log sum_c exp(z_c / T), already "higher = OOD".</summary>
    public static string Energy(this HeadGraph g, string logits, float temperature = 1f)
    {
        string lse = g.LogSumExp(g.Divide(logits, temperature));
        return temperature == 1f ? g.Node("Neg", lse) : g.Node("Mul", lse, g.Constant(-temperature));
    }

    /// <summary>
    /// Minus the largest softmax probability, -max_c softmax(z)_c (MSP, Hendrycks and Gimpel, ICLR 2017): ONNX Runtime's
    /// Softmax shifts by the maximum, so the largest value is 1 / sum_c exp(z_c - max z), with no positive exponent, and
    /// no temperature can overflow it.
    /// </summary>
    public static string NegativeMaxSoftmax(this HeadGraph g, string logits)
    {
        string softmax = g.Node("Softmax", [logits], OnnxAttributes.Int("axis", 1));
        return g.Node("Neg", g.Node("ReduceMax", [softmax, g.Axis(1)], OnnxAttributes.Int("keepdims", 0)));
    }

    /// <summary>softmax(z) over each row (ONNX's Softmax, which ONNX Runtime computes shifted by the row's maximum).</summary>
    public static string Softmax(this HeadGraph g, string logits) => g.Node("Softmax", [logits], OnnxAttributes.Int("axis", 1));

    /// <summary>Each value raised to the power <paramref name="exponent"/>.</summary>
    public static string Power(this HeadGraph g, string x, float exponent) => g.Node("Pow", x, g.Constant(exponent));

    /// <summary>Minus the row's largest value, -max_c x_c (MaxLogit, Hendrycks et al., ICML 2022).</summary>
    public static string NegativeMax(this HeadGraph g, string x)
        => g.Node("Neg", g.Node("ReduceMax", [x, g.Axis(1)], OnnxAttributes.Int("keepdims", 0)));

    /// <summary>
    /// Rows at unit L2 norm; a zero row stays zero (it has no direction) instead of becoming NaN. Each row is first
    /// divided by its largest magnitude, so that its sum of squares lies in [1, width]: in float a row of 1e-30 values
    /// would otherwise sum to 0 and a row of 1e30 values to infinity.
    /// </summary>
    public static string UnitRows(this HeadGraph g, string x)
    {
        string tiny = g.Constant(float.Epsilon);
        string largest = g.Node("ReduceMax", [g.Node("Abs", x), g.Axis(1)], OnnxAttributes.Int("keepdims", 1));
        string scaled = g.Node("Div", x, g.Node("Max", largest, tiny));
        string norm = g.Node("Sqrt", g.Node("ReduceSumSquare", [scaled, g.Axis(1)], OnnxAttributes.Int("keepdims", 1)));
        return g.Node("Div", scaled, g.Node("Max", norm, tiny));
    }

    /// <summary>
    /// x W + b: a linear layer (a classifier's last layer) with <paramref name="weights"/> laid out [inputs, outputs]
    /// row-major, the layout a MatMul with rows [batch, inputs] reads; no bias when <paramref name="bias"/> is null.
    /// </summary>
    public static string Linear(this HeadGraph g, string x, string name, ReadOnlySpan<float> weights, int inputs, int outputs, ReadOnlySpan<float> bias = default)
    {
        string product = g.Node("MatMul", x, g.Weights($"{name}_weights", weights, inputs, outputs));
        return bias.IsEmpty ? product : g.Node("Add", product, g.Weights($"{name}_bias", bias, outputs));
    }

    /// <summary>Each value capped at <paramref name="max"/>: min(x, c) (ReAct's rectification).</summary>
    public static string Clip(this HeadGraph g, string x, float max) => g.Node("Min", x, g.Constant(max));

    /// <summary>The <paramref name="k"/> largest values of each row, in descending order, and their column indices.</summary>
    public static (string Values, string Indices) TopK(this HeadGraph g, string x, long k)
    {
        string[] outputs = g.Builder.AddNodeWithOutputs("TopK", [x, g.Constant(k)], 2,
            OnnxAttributes.Int("axis", 1), OnnxAttributes.Int("largest", 1), OnnxAttributes.Int("sorted", 1));
        return (outputs[0], outputs[1]);
    }

    /// <summary>Column <paramref name="index"/> (0-based) of each row, [batch, 1].</summary>
    public static string Column(this HeadGraph g, string x, long index)
        => g.Node("Slice", x, g.Constant(index), g.Constant(index + 1), g.Axis(1));

    /// <summary>The k-th largest value of each row (k = 1 is the maximum), [batch].</summary>
    public static string KthLargest(this HeadGraph g, string x, long k)
        => g.Node("Squeeze", g.Column(g.TopK(x, k).Values, k - 1), g.Axis(1));

    /// <summary>Cosine similarities between unit rows and the unit columns of <paramref name="unitColumns"/> [width, count].</summary>
    public static string Cosines(this HeadGraph g, string unitRows, string name, ReadOnlySpan<float> unitColumns, int width, int count)
        => g.Node("MatMul", unitRows, g.Weights(name, unitColumns, width, count));

    /// <summary>
    /// Each row with its <paramref name="k"/> largest values kept and the rest set to 0 (ASH's pruning), and those values
    /// ([batch, k]) with their indices: exactly k are kept, equal values chosen in TopK's order, as torch.topk and
    /// scatter_ do in OpenOOD's ash_net.py. With <paramref name="fill"/> ([batch, 1]) the kept places get that value
    /// instead of their own (ASH-B).
    /// </summary>
    public static (string Kept, string Values) KeepLargest(this HeadGraph g, string x, long k, string? fill = null)
    {
        var (values, indices) = g.TopK(x, k);
        string zeros = g.Node("ConstantOfShape", g.Node("Shape", x));
        string source = fill is null ? values : g.Node("Expand", fill, g.Node("Shape", values));
        return (g.Node("ScatterElements", [zeros, indices, source], OnnxAttributes.Int("axis", 1)), values);
    }

    /// <summary>
    /// Each row of <paramref name="x"/> ([batch, <paramref name="width"/>]) with all but its <paramref name="k"/> largest
    /// values set to 0 (ASH-P's and ASH-S's pruning; SCALE sums what it keeps). TopK picks the width - k smallest,
    /// unsorted, and those are zeroed: ONNX Runtime then selects with nth_element instead of a heap over the k largest,
    /// measured 0.63 instead of 0.81 s for k = 51 of 512 over 100,000 rows, and 0.65 instead of 1.16 s for k = 77.
    /// Exactly k values are kept, the same ones as a top-k wherever the k-th and (k+1)-th largest differ; where they are
    /// equal and positive (exact ties at the boundary, which torch.topk also breaks in no stated order), which of the
    /// tied places is kept is ONNX Runtime's choice. A tie at 0 keeps the same row either way.
    /// </summary>
    public static string KeepLargestPruned(this HeadGraph g, string x, int width, int k)
    {
        if (k >= width)
        {
            return x;
        }

        string[] smallest = g.Builder.AddNodeWithOutputs("TopK", [x, g.Constant((long)(width - k))], 2,
            OnnxAttributes.Int("axis", 1), OnnxAttributes.Int("largest", 0), OnnxAttributes.Int("sorted", 0));
        string zeros = g.Node("ConstantOfShape", g.Node("Shape", smallest[1]));
        return g.Node("ScatterElements", [x, smallest[1], zeros], OnnxAttributes.Int("axis", 1));
    }

    /// <summary>
    /// <paramref name="numerator"/> / <paramref name="denominator"/>, with a zero denominator read as 1: a row of zero
    /// activations then keeps its zero sum instead of becoming 0 / 0 = NaN (ASH-S and SCALE's s1 / s2).
    /// </summary>
    public static string DivideOrKeep(this HeadGraph g, string numerator, string denominator)
    {
        string zero = g.Node("Equal", denominator, g.Constant(0f));
        return g.Node("Div", numerator, g.Node("Where", zero, g.Constant(1f), denominator));
    }

    /// <summary>
    /// <paramref name="x"/> with the entry at column <paramref name="index"/> ([batch, 1] int64) of each row set to
    /// -infinity: it then drops out of a log-sum-exp or a softmax (GEN's mass of the classes other than the top one).
    /// </summary>
    public static string WithoutColumnAt(this HeadGraph g, string x, string index)
    {
        string minusInfinity = g.Node("Expand", g.Constant(float.NegativeInfinity), g.Node("Shape", index));
        return g.Node("ScatterElements", [x, index, minusInfinity], OnnxAttributes.Int("axis", 1));
    }
}
