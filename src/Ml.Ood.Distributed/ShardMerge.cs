namespace Ml.Ood;

/// <summary>
/// The exact merge of the shards' neighbour lists (issue 15, item 2): for each query row, the k-th neighbour over the
/// union of the lists, ranked by cosine (descending) with ties to the lower bank index, which is the single-bank head's
/// TopK order; the score is that neighbour's distance. Each shard lists its own k best in that order, so the union holds
/// the whole bank's k best.
/// </summary>
internal static class ShardMerge
{
    /// <summary>Writes each row's k-th neighbour distance over all shards into <paramref name="scores"/>.</summary>
    /// <param name="k">The neighbour rank (1 = nearest), at most the sum of the lists' lengths.</param>
    /// <param name="rows">The query rows.</param>
    /// <param name="lists">One answer per shard, each [rows, ListLength].</param>
    /// <param name="scores">rows values.</param>
    public static void KthDistances(int k, int rows, IReadOnlyList<ShardNeighbours> lists, Span<float> scores)
    {
        int total = lists.Sum(l => l.ListLength);
        if (k < 1 || k > total || scores.Length < rows)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, OodErrors.Format(OodErrors.KnnKLargerThanBank, k, total));
        }

        var candidates = new (float Cosine, long Index, float Distance)[total];
        for (int r = 0; r < rows; r++)
        {
            int c = 0;
            foreach (var list in lists)
            {
                for (int j = 0, at = r * list.ListLength; j < list.ListLength; j++, at++)
                {
                    candidates[c++] = (list.Cosines[at], list.Indices[at], list.Distances[at]);
                }
            }

            scores[r] = Select(candidates, k - 1).Distance;
        }
    }

    /// <summary>The candidate of rank <paramref name="rank"/> (0-based) by cosine descending, then index ascending.</summary>
    private static (float Cosine, long Index, float Distance) Select(Span<(float Cosine, long Index, float Distance)> candidates, int rank)
    {
        candidates.Sort(static (a, b) => Before(a, b) ? -1 : Before(b, a) ? 1 : 0);
        return candidates[rank];
    }

    /// <summary>
    /// Whether <paramref name="a"/> ranks before <paramref name="b"/>. A NaN cosine (a shard of a NaN query row, which the
    /// transformer never sends) ranks last, so the order stays total.
    /// </summary>
    private static bool Before((float Cosine, long Index, float Distance) a, (float Cosine, long Index, float Distance) b)
    {
        if (float.IsNaN(a.Cosine) || float.IsNaN(b.Cosine))
        {
            return !float.IsNaN(a.Cosine) || (float.IsNaN(b.Cosine) && a.Index < b.Index);
        }

        return a.Cosine > b.Cosine || (a.Cosine == b.Cosine && a.Index < b.Index);
    }
}
