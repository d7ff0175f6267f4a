namespace Ml.Ood;

/// <summary>One shard of a sharded KNN bank: its file in the store, the file's SHA-256 and the bank rows it holds.</summary>
/// <param name="Index">0-based; shard order is bank order.</param>
/// <param name="FileName">The shard head's file name in the <see cref="IShardStore"/>.</param>
/// <param name="Sha256">The file's SHA-256, lower-case hex; a grain refuses a file that differs.</param>
/// <param name="FirstRow">The shard's first row in the whole bank.</param>
/// <param name="Rows">The rows the shard holds.</param>
public sealed record ShardEntry(int Index, string FileName, string Sha256, long FirstRow, int Rows)
{
    /// <summary>The shard grain's key: its index (for placement), the file and its hash, so that a changed file is a different grain.</summary>
    internal string GrainKey => ShardKey.For(this);
}

/// <summary>
/// What a fitted sharded KNN head is, without its bank: its columns, k and the shards, saved by
/// <see cref="ShardedKnnTransformer.Save(string)"/> as JSON with the call settings and read by <c>ml.Ood().LoadSharded</c>.
/// </summary>
/// <param name="InputColumnName">The embedding column.</param>
/// <param name="OutputColumnName">The score column.</param>
/// <param name="InputSize">The embedding width.</param>
/// <param name="K">The neighbour rank whose distance is the score.</param>
/// <param name="BankRows">The rows of the whole bank.</param>
/// <param name="Shards">The shards, in bank order.</param>
public sealed record ShardManifest(string InputColumnName, string OutputColumnName, int InputSize, int K, long BankRows,
    IReadOnlyList<ShardEntry> Shards)
{
    /// <summary>What is wrong with the manifest's values; null when they add up.</summary>
    internal string? Problem()
    {
        if (Shards is null || Shards.Count == 0 || K < 1 || InputSize < 1 || string.IsNullOrEmpty(InputColumnName) || string.IsNullOrEmpty(OutputColumnName))
        {
            return "it has no shards, no columns, or k or the width below 1";
        }

        long next = 0;
        for (int i = 0; i < Shards.Count; i++)
        {
            var s = Shards[i];
            if (s.Index != i || s.FirstRow != next || s.Rows < 1 || string.IsNullOrEmpty(s.FileName) || s.Sha256?.Length != 64)
            {
                return $"shard entry {i} does not follow the one before it or lacks its file or hash";
            }

            next += s.Rows;
        }
        return next == BankRows && K <= BankRows ? null : $"its shards hold {next} rows where the bank has {BankRows} (k = {K})";
    }
}
