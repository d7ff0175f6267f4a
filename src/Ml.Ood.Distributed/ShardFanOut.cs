namespace Ml.Ood;

/// <summary>
/// Sends a block of queries to every shard at once and merges their lists (<see cref="ShardMerge"/>). Each shard's call
/// is retried on its own (a call is a pure function of the shard and the block, so a retry neither loses nor duplicates
/// rows); the block is scored only when every shard answered, and fails with an error that names the first shard that did
/// not. A NaN or infinite query row is sent as zeros and scored NaN (fail closed: a Threshold flags it).
/// </summary>
internal sealed class ShardFanOut(IGrainFactory grains, ShardManifest manifest, ShardCalls calls)
{
    private long _retries;

    /// <summary>Shard calls retried so far (a silo that left, a timeout), over every block.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    public ShardManifest Manifest => manifest;

    public ShardCalls Calls => calls;

    /// <summary>Scores <paramref name="count"/> rows of <paramref name="rows"/> (count x width) into <paramref name="scores"/>.</summary>
    /// <exception cref="InvalidOperationException">A shard did not answer within the attempts.</exception>
    public void Score(float[] rows, int count, float[] scores) => ScoreAsync(rows, count, scores).GetAwaiter().GetResult();

    /// <summary>Scores <paramref name="count"/> rows (count x width) into the first <paramref name="count"/> of <paramref name="scores"/>.</summary>
    public async Task ScoreAsync(ReadOnlyMemory<float> rows, int count, Memory<float> scores)
    {
        int width = manifest.InputSize;
        var sent = new float[count * width];
        var nonFinite = new bool[count];
        for (int r = 0; r < count; r++)
        {
            var row = rows.Span.Slice(r * width, width);
            nonFinite[r] = !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(row);
            if (!nonFinite[r])
            {
                row.CopyTo(sent.AsSpan(r * width));
            }
        }

        var queries = new ShardQueries(sent, count);
        var answers = await Task.WhenAll(manifest.Shards.Select(s => AskAsync(s, queries))).ConfigureAwait(false);
        var span = scores.Span;
        ShardMerge.KthDistances(manifest.K, count, answers, span);
        for (int r = 0; r < count; r++)
        {
            if (nonFinite[r])
            {
                span[r] = float.NaN;
            }
        }
    }

    private async Task<ShardNeighbours> AskAsync(ShardEntry shard, ShardQueries queries)
    {
        var grain = grains.GetGrain<IKnnShardGrain>(shard.GrainKey);
        int expected = queries.RowCount * Math.Min(manifest.K, shard.Rows);
        Exception? last = null;
        var delay = calls.RetryDelay;
        for (int attempt = 1; attempt <= calls.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(delay).ConfigureAwait(false);
                delay *= 2;
            }

            try
            {
                var answer = await grain.SearchAsync(queries).WaitAsync(calls.CallTimeout).ConfigureAwait(false);
                return answer.Cosines.Length == expected && answer.Distances.Length == expected && answer.Indices.Length == expected
                    ? answer
                    : throw new InvalidDataException(OodErrors.Format(OodErrors.ShardAnswerSizeMismatch, shard.Index, expected, answer.Cosines.Length));
            }
            catch (Exception e)
            {
                // Every failure is retried: a silo that died, a call that timed out, a grain whose store was being
                // restored; only the shards' full answer scores the block.
                last = e;
                Interlocked.Increment(ref _retries);
            }
        }
        throw new InvalidOperationException(OodErrors.Format(OodErrors.ShardUnreachable, shard.Index, manifest.Shards.Count, shard.FileName,
            calls.MaxAttempts, calls.CallTimeout, last!.Message), last);
    }
}
