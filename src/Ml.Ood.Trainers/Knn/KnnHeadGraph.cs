using Ml.Ood.Transforms;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Trainers;

/// <summary>
/// The KNN head (Sun et al., ICML 2022; OpenOOD's knn_postprocessor): normalise the query, find its k-th most
/// similar bank row with one MatMul and a TopK, and output the Euclidean distance to that row.
/// </summary>
internal static class KnnHeadGraph
{
    public const string Kind = "knn";

    /// <summary>Rows per ONNX Runtime call never need a work space above this, however small the bank.</summary>
    private const long MinWorkSpaceBytes = 16L << 20;

    public static OodHeadModel Build(OodHeadInfo info, float[] bankTransposed, int bankRows, int k)
    {
        info = info.WithMaxRowsPerRun(MaxRowsPerRun(bankRows, info.InputSize, k));
        var g = OodHeadModel.Start(info);
        string axis1 = g.AddInitializer("axis_1", [1L], 1);

        // Unit-normalise the query; a zero query stays zero (its distance to every unit bank row is 1).
        string query = GraphOps.UnitRows(g, info.InputColumnName, axis1);

        // For unit vectors the nearest rows are the most similar: one GEMM against the bank, then TopK.
        string bank = g.AddInitializer("bank_t", bankTransposed, info.InputSize, bankRows);
        string similarity = g.AddNode("MatMul", [query, bank]);
        string[] topK = g.AddNodeWithOutputs("TopK", [similarity, g.AddInitializer("k", [(long)k], 1)], 2,
            OnnxAttributes.Int("axis", 1), OnnxAttributes.Int("largest", 1), OnnxAttributes.Int("sorted", 1));

        // The distance comes from the k-th neighbour's coordinates, not from sqrt(2 - 2 cos), which cancels
        // catastrophically in float for near-duplicates (a true 1e-8 comes out near 3e-4).
        string kth = g.AddNode("Slice", [topK[1], g.AddInitializer("k_start", [(long)k - 1], 1), g.AddInitializer("k_end", [(long)k], 1), axis1]);
        string neighbourT = g.AddNode("Gather", [bank, g.AddNode("Squeeze", [kth, axis1])], attributes: OnnxAttributes.Int("axis", 1));
        string neighbour = g.AddNode("Transpose", neighbourT, attributes: OnnxAttributes.Ints("perm", 1, 0));
        string squared = g.AddNode("ReduceSumSquare", [g.AddNode("Sub", [query, neighbour]), axis1], attributes: OnnxAttributes.Int("keepdims", 0));
        g.AddNode("Sqrt", squared, OodHeadModel.ScoreOutputName);
        return OodHeadModel.Finish(g, info);
    }

    /// <summary>
    /// Each query row needs one similarity per bank row (plus its top k): with 256 rows per call that work space
    /// would be half a 512-d bank. Capping it at a quarter of the bank (or 16 MB, whichever is larger) keeps a
    /// scoring process near one bank's worth of memory above its baseline.
    /// </summary>
    internal static int MaxRowsPerRun(int bankRows, int dims, int k)
    {
        long budget = Math.Max((long)bankRows * dims * sizeof(float) / 4, MinWorkSpaceBytes);
        long perRow = (long)bankRows * sizeof(float) + (long)k * (sizeof(float) + sizeof(long));
        return (int)Math.Clamp(budget / perRow, 1, int.MaxValue);
    }
}
