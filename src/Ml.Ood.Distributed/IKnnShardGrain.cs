namespace Ml.Ood;

/// <summary>
/// One shard of a sharded KNN bank in an Orleans cluster. Its key is <c>file#sha256</c>: at activation it opens that file
/// from the silo's <see cref="IShardStore"/> and refuses it if its SHA-256 differs. A call is a pure function of the
/// shard and the queries, so a caller may retry it on another activation.
/// </summary>
public interface IKnnShardGrain : IGrainWithStringKey
{
    /// <summary>Each query row's k' = min(k, shard rows) most similar shard rows.</summary>
    /// <param name="queries">The block of queries.</param>
    Task<ShardNeighbours> SearchAsync(ShardQueries queries);
}

/// <summary>A block of query rows sent to every shard.</summary>
/// <param name="Rows">RowCount x width values, row-major (the user's embeddings, not normalised).</param>
/// <param name="RowCount">The rows in the block.</param>
[GenerateSerializer]
[Immutable]
public sealed record ShardQueries([property: Id(0)] float[] Rows, [property: Id(1)] int RowCount);

/// <summary>A shard's answer: per query row, its list of neighbours ranked by cosine (descending), [rows, ListLength].</summary>
/// <param name="ListLength">k' = min(k, the shard's rows).</param>
/// <param name="Cosines">The neighbours' cosine similarities.</param>
/// <param name="Distances">Their Euclidean distances to the unit query row.</param>
/// <param name="Indices">Their row indices in the whole bank.</param>
[GenerateSerializer]
[Immutable]
public sealed record ShardNeighbours(
    [property: Id(0)] int ListLength,
    [property: Id(1)] float[] Cosines,
    [property: Id(2)] float[] Distances,
    [property: Id(3)] long[] Indices);
