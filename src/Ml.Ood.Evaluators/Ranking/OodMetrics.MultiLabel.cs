using System.Numerics;
using Ml.Ood.Evaluators.Common;

namespace Ml.Ood;

public static partial class OodMetrics
{
    /// <summary>TKPR@K, precision@K, recall@K, mAP@K, NDCG@K and ranking loss for multi-label rows.</summary>
    /// <param name="scores">Row-major label scores, <paramref name="labelCount"/> per row, higher = more relevant; finite.</param>
    /// <param name="isPositive">Row-major relevance flags, laid out like <paramref name="scores"/>.</param>
    /// <param name="labelCount">Number of labels C per row.</param>
    /// <param name="k">The cut-off K, in [1, C]; every row with a positive label needs at least K negative labels.</param>
    /// <exception cref="ArgumentException">
    /// Sizes disagree, a score is NaN or infinite, a row has fewer than K negatives, or no row has a positive label.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">K or the label count is out of range.</exception>
    public static MultiLabelRankingMetrics EvaluateMultiLabelRanking(ReadOnlySpan<float> scores, ReadOnlySpan<bool> isPositive, int labelCount, int k) =>
        MultiLabelRanking(scores, isPositive, labelCount, k);

    /// <inheritdoc cref="EvaluateMultiLabelRanking(ReadOnlySpan{float}, ReadOnlySpan{bool}, int, int)"/>
    public static MultiLabelRankingMetrics EvaluateMultiLabelRanking(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isPositive, int labelCount, int k) =>
        MultiLabelRanking(scores, isPositive, labelCount, k);

    /// <summary>
    /// TKPR@K alone (Wang et al., ICML 2024): mean over rows with a positive label of
    /// 1/(K |P|) sum_{p in P} sum_{n in top-K negatives} 1[f_p &gt; f_n]. Per row it selects the K largest
    /// negative scores by quickselect and binary-searches each positive among them, O(C + K log K + |P| log K),
    /// the paper's O(CK) bound without a full sort. Higher is better.
    /// </summary>
    /// <inheritdoc cref="EvaluateMultiLabelRanking(ReadOnlySpan{float}, ReadOnlySpan{bool}, int, int)"/>
    public static double TopKPairwiseRanking(ReadOnlySpan<float> scores, ReadOnlySpan<bool> isPositive, int labelCount, int k) =>
        Tkpr(scores, isPositive, labelCount, k);

    /// <inheritdoc cref="TopKPairwiseRanking(ReadOnlySpan{float}, ReadOnlySpan{bool}, int, int)"/>
    public static double TopKPairwiseRanking(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isPositive, int labelCount, int k) =>
        Tkpr(scores, isPositive, labelCount, k);

    private static MultiLabelRankingMetrics MultiLabelRanking<T>(ReadOnlySpan<T> scores, ReadOnlySpan<bool> isPositive, int labelCount, int k)
        where T : struct, IFloatingPointIeee754<T>
    {
        CheckMultiLabel(scores, isPositive, labelCount, k);
        var accumulator = new MultiLabelRankingAccumulator(labelCount, k, nameof(isPositive));
        for (int row = 0, start = 0; start < scores.Length; row++, start += labelCount)
        {
            accumulator.Add(scores.Slice(start, labelCount), isPositive.Slice(start, labelCount), row);
        }

        return accumulator.Result();
    }

    private static double Tkpr<T>(ReadOnlySpan<T> scores, ReadOnlySpan<bool> isPositive, int labelCount, int k)
        where T : struct, IFloatingPointIeee754<T>
    {
        CheckMultiLabel(scores, isPositive, labelCount, k);
        var negatives = new T[labelCount];
        double sum = 0;
        int rows = 0;
        for (int row = 0, start = 0; start < scores.Length; row++, start += labelCount)
        {
            ReadOnlySpan<T> f = scores.Slice(start, labelCount);
            ReadOnlySpan<bool> y = isPositive.Slice(start, labelCount);
            int n = 0;
            for (int c = 0; c < labelCount; c++)
            {
                if (!y[c])
                {
                    negatives[n++] = f[c];
                }
            }

            int positives = labelCount - n;
            if (positives == 0)
            {
                continue;
            }

            if (n < k)
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.TooFewNegatives, nameof(isPositive), row, n, k), nameof(isPositive));
            }

            Span<T> top = negatives.AsSpan(0, n);
            ScoreSelection.LargestFirst(top, k);
            top = top[..k];
            top.Sort();
            long below = 0;
            for (int c = 0; c < labelCount; c++)
            {
                if (y[c])
                {
                    below += CountBelow(top, f[c]);
                }
            }

            sum += (double)below / ((long)k * positives);
            rows++;
        }

        if (rows == 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.NoPositiveLabels, nameof(isPositive)), nameof(isPositive));
        }

        return sum / rows;
    }

    private static void CheckMultiLabel<T>(ReadOnlySpan<T> scores, ReadOnlySpan<bool> isPositive, int labelCount, int k)
        where T : struct, IFloatingPointIeee754<T>
    {
        Guard.CountAtLeastOne(labelCount, nameof(labelCount));
        Guard.KInRange(k, labelCount, nameof(k));
        Guard.SameLength(isPositive.Length, nameof(isPositive), scores.Length, nameof(scores));
        if (scores.Length % labelCount != 0)
        {
            throw new ArgumentException(
                OodErrors.Format(OodErrors.NotMultipleOfCount, nameof(scores), scores.Length, nameof(labelCount), labelCount), nameof(scores));
        }

        Guard.NotEmpty(scores.Length, nameof(scores));
        Guard.AllFinite(scores, nameof(scores));
    }

    /// <summary>Number of entries of the ascending <paramref name="sorted"/> strictly below <paramref name="value"/>.</summary>
    private static int CountBelow<T>(ReadOnlySpan<T> sorted, T value)
        where T : struct, IFloatingPointIeee754<T>
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
