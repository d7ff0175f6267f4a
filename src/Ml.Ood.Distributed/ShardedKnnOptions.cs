namespace Ml.Ood;

/// <summary>
/// Settings of <see cref="ShardedKnnEstimator"/>: the KNN head's (<see cref="Knn"/>: columns, k, sampling), the shard
/// count, and how the transformer calls the shards.
/// </summary>
public sealed class ShardedKnnOptions
{
    /// <summary>The KNN head's columns, k and bank sampling; the scores equal that head's (issue 15).</summary>
    public required KnnOptions Knn { get; set; }

    /// <summary>S: the bank is cut into this many shards of consecutive rows (sizes differ by at most one row); 2 by default.</summary>
    public int Shards { get; set; } = 2;

    /// <summary>The shard files' name prefix in the store; a fresh one per fit by default (<c>knn-</c> and a GUID).</summary>
    public string? ShardNamePrefix { get; set; }

    /// <summary>Rows per block sent to every shard at once; 256 by default (the single head's block).</summary>
    public int BlockSize { get; set; } = 256;

    /// <summary>
    /// Blocks a cursor sends before it waits for their answers; 4 by default, so that the silos compute while the client
    /// merges and the network carries the next blocks.
    /// </summary>
    public int BlocksInFlight { get; set; } = 4;

    /// <summary>The most time one attempt of one shard's call may take; 30 seconds by default (Orleans' response timeout).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Attempts per shard and block before the block fails with an error that names the shard; 4 by default, so that a
    /// silo that dies mid-stream costs a retry while its grains re-activate on another silo.
    /// </summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>The pause before the second attempt, doubled before each later one; 200 ms by default.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    internal ShardCalls Calls => new(BlockSize, CallTimeout, MaxAttempts, RetryDelay, BlocksInFlight);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Knn);
        Knn.Validate();
        if (Shards < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Shards), Shards, OodErrors.Format(OodErrors.ShardCountTooSmall, Shards));
        }

        Calls.Validate();
    }
}

/// <summary>How a sharded transformer calls its shards (saved with its manifest).</summary>
/// <param name="BlockSize">Rows per block.</param>
/// <param name="CallTimeout">One attempt's limit.</param>
/// <param name="MaxAttempts">Attempts per shard and block.</param>
/// <param name="RetryDelay">The first pause between attempts, doubled each time.</param>
/// <param name="BlocksInFlight">Blocks a cursor sends at once.</param>
public sealed record ShardCalls(int BlockSize, TimeSpan CallTimeout, int MaxAttempts, TimeSpan RetryDelay, int BlocksInFlight)
{
    /// <summary>The defaults of <see cref="ShardedKnnOptions"/>.</summary>
    public static ShardCalls Default { get; } = new ShardedKnnOptions { Knn = new() { InputColumnName = "x" } }.Calls;

    internal void Validate()
    {
        if (BlockSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, OodErrors.Format(OodErrors.BlockSizeTooSmall, BlockSize));
        }

        if (BlocksInFlight < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BlocksInFlight), BlocksInFlight, OodErrors.Format(OodErrors.BlocksInFlightTooSmall, BlocksInFlight));
        }

        if (CallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CallTimeout), CallTimeout, OodErrors.Format(OodErrors.ShardTimeoutNotPositive, CallTimeout));
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, OodErrors.Format(OodErrors.ShardAttemptsTooSmall, MaxAttempts));
        }
    }
}
