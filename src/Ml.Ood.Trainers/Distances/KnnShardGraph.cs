using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood;

/// <summary>
/// The KNN head's graph for one shard of a bank (issue 15, item 2): for each query row, the shard's k most similar rows
/// by cosine, [batch, k] three times: the cosines (descending), the coordinate distances to those rows, and their row
/// indices in the whole bank (the shard's first row added). The exact k-th neighbour over the whole bank is the k-th of
/// the union of the shards' lists ranked by cosine, ties to the lower bank index (<c>ShardMerge</c> in
/// Ml.Ood.Distributed), and its distance is that list entry's: the same nodes as <see cref="KnnEstimator"/>'s graph
/// (unit rows, MatMul against the transposed bank, TopK, the neighbour's coordinates gathered, its squared differences
/// summed by ReduceSumSquare over the last axis, Sqrt), so a shard gives each neighbour the distance the single-bank
/// head gives it.
/// </summary>
internal static class KnnShardGraph
{
    /// <summary>The head kind in the shard file's metadata.</summary>
    public const string Kind = "knn-shard";

    public const string CosinesOutput = "mlood_shard_cosines";

    public const string DistancesOutput = "mlood_shard_distances";

    public const string IndicesOutput = "mlood_shard_indices";

    /// <summary>The graph input's name: queries, [batch, dims], as the user's pipeline gives them (not normalised).</summary>
    public const string QueryInput = "mlood_query";

    /// <summary>
    /// The ONNX model of one shard (sealed with its content hash): the bank rows <paramref name="firstRow"/> .. + rows of
    /// <paramref name="bankTransposed"/> ([dims, rows]), answering the k' = min(k, rows) nearest.
    /// </summary>
    public static byte[] Build(ReadOnlySpan<float> bankTransposed, int rows, int dims, int k, long firstRow)
    {
        int listLength = Math.Min(k, rows);
        var info = new OodHeadInfo(Kind, QueryInput, CosinesOutput, dims, OodHeadOutputKind.Score, new Dictionary<string, string>
        {
            ["k"] = listLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["rows"] = rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["first_row"] = firstRow.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var g = HeadGraph.Start(info);
        string query = g.UnitRows(g.Input);
        string bank = g.Weights("bank_t", bankTransposed, dims, rows);
        var (cosines, local) = g.TopK(g.Node("MatMul", query, bank), listLength);
        // [dims, batch, k'] -> [batch, k', dims]: each listed neighbour's coordinates, next to its query row.
        string neighbours = g.Node("Transpose", [g.Node("Gather", [bank, local], OnnxAttributes.Int("axis", 1))], OnnxAttributes.Ints("perm", 1, 2, 0));
        string differences = g.Node("Sub", g.Node("Unsqueeze", query, g.Axis(1)), neighbours);
        string squared = g.Node("ReduceSumSquare", [differences, g.Axis(2)], OnnxAttributes.Int("keepdims", 0));
        g.Builder.RenameValue(cosines, CosinesOutput);
        g.Builder.AddNode("Sqrt", [squared], DistancesOutput);
        g.Builder.AddNode("Add", [local, g.Constant(firstRow)], IndicesOutput);
        g.Builder.AddOutput(CosinesOutput, TensorProto.Types.DataType.Float, listLength);
        g.Builder.AddOutput(DistancesOutput, TensorProto.Types.DataType.Float, listLength);
        g.Builder.AddOutput(IndicesOutput, TensorProto.Types.DataType.Int64, listLength);
        return HeadIntegrity.Seal(g.Builder.ToBytes());
    }
}
