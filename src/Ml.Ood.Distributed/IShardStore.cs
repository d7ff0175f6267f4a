namespace Ml.Ood;

/// <summary>
/// Where the shards of a sharded KNN bank live: fitting writes each shard head here, and every silo of the cluster reads
/// them from here (a shard grain re-activated on another silo reads the same file). <see cref="FolderShardStore"/> is a
/// folder that every silo can see (a local folder on one machine, a network share or a mounted volume on several).
/// </summary>
public interface IShardStore
{
    /// <summary>Writes (or replaces) the shard file <paramref name="name"/> with <paramref name="content"/>.</summary>
    /// <param name="name">A plain file name: letters, digits, '-', '_' and '.'.</param>
    /// <param name="content">The shard head's ONNX bytes.</param>
    void Write(string name, ReadOnlySpan<byte> content);

    /// <summary>
    /// A local file path of the shard <paramref name="name"/>, which ONNX Runtime opens; the store fetches it first if
    /// it is remote.
    /// </summary>
    /// <exception cref="FileNotFoundException">The store has no such shard.</exception>
    string GetLocalPath(string name);
}
