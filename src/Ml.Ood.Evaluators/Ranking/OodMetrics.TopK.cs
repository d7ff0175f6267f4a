using System.Numerics;
using System.Runtime.InteropServices;
using Ml.Ood.Evaluators.Common;

namespace Ml.Ood;

public static partial class OodMetrics
{
    /// <summary>AUTKC@K and the top-k accuracies for k = 1..K, in O(C) per row.</summary>
    /// <param name="scores">Row-major class scores, <paramref name="classCount"/> per row, higher = more likely; finite.</param>
    /// <param name="labels">True class of each row, in [0, <paramref name="classCount"/>).</param>
    /// <param name="classCount">Number of classes C.</param>
    /// <param name="k">K, in [1, C].</param>
    /// <exception cref="ArgumentException">Sizes disagree, there is no row or a score is NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">K or a label is out of range.</exception>
    public static TopKMetrics EvaluateTopK(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, int classCount, int k) =>
        TopK(scores, labels, classCount, k);

    /// <inheritdoc cref="EvaluateTopK(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int)"/>
    public static TopKMetrics EvaluateTopK(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, int classCount, int k) =>
        TopK(scores, labels, classCount, k);

    /// <summary>AUTKC@K (Wang et al., 2022): mean over rows of (1/K) sum_{k=1..K} 1[rank(y) &lt;= k], ties pessimistic. Higher is better.</summary>
    /// <inheritdoc cref="EvaluateTopK(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int)"/>
    public static double AreaUnderTopKCurve(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels, int classCount, int k) =>
        TopK(scores, labels, classCount, k).AreaUnderTopKCurve;

    /// <inheritdoc cref="AreaUnderTopKCurve(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int)"/>
    public static double AreaUnderTopKCurve(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, int classCount, int k) =>
        TopK(scores, labels, classCount, k).AreaUnderTopKCurve;

    /// <summary>
    /// rank(y) = 1 + #{c : f_c &gt; f_y} + #{c != y : f_c = f_y} (docs/FORMULAS.md; ties count against the
    /// true label) = #{c : f_c &gt;= f_y}, y itself included: one SIMD compare-and-count, no selection.
    /// </summary>
    internal static int RankOfTrueLabel(ReadOnlySpan<float> row, int label)
    {
        float fy = row[label];
        int rank = 0;
        int c = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<float>.Count)
        {
            var threshold = new Vector<float>(fy);
            var counts = Vector<int>.Zero;
            ReadOnlySpan<Vector<float>> blocks = MemoryMarshal.Cast<float, Vector<float>>(row);
            foreach (Vector<float> v in blocks)
            {
                // A true lane is all ones (-1 as an int): subtracting counts it.
                counts -= Vector.GreaterThanOrEqual(v, threshold);
            }

            rank = Vector.Sum(counts);
            c = blocks.Length * Vector<float>.Count;
        }

        for (; c < row.Length; c++)
        {
            rank += row[c] >= fy ? 1 : 0;
        }

        return rank;
    }

    /// <inheritdoc cref="RankOfTrueLabel(ReadOnlySpan{float}, int)"/>
    internal static int RankOfTrueLabel(ReadOnlySpan<double> row, int label)
    {
        double fy = row[label];
        long rank = 0;
        int c = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<double>.Count)
        {
            var threshold = new Vector<double>(fy);
            var counts = Vector<long>.Zero;
            ReadOnlySpan<Vector<double>> blocks = MemoryMarshal.Cast<double, Vector<double>>(row);
            foreach (Vector<double> v in blocks)
            {
                counts -= Vector.GreaterThanOrEqual(v, threshold);
            }

            rank = Vector.Sum(counts);
            c = blocks.Length * Vector<double>.Count;
        }

        for (; c < row.Length; c++)
        {
            rank += row[c] >= fy ? 1 : 0;
        }

        return (int)rank;
    }

    /// <summary>Dispatches to the Single or Double kernel; the JIT folds the type test away.</summary>
    internal static int RankOfTrueLabel<T>(ReadOnlySpan<T> row, int label)
        where T : struct, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? RankOfTrueLabel(MemoryMarshal.Cast<T, float>(row), label)
            : RankOfTrueLabel(MemoryMarshal.Cast<T, double>(row), label);

    internal static TopKMetrics TopKFromRankCounts(long[] hitsAtRank, int k, int rowCount)
    {
        // Top-k accuracy is the cumulative count of ranks <= k; AUTKC@K is their mean, kept as an integer
        // sum until the one final division.
        var accuracy = new double[k];
        long cumulative = 0, sum = 0;
        for (int j = 1; j <= k; j++)
        {
            cumulative += hitsAtRank[j];
            sum += cumulative;
            accuracy[j - 1] = (double)cumulative / rowCount;
        }

        return new TopKMetrics(k, sum / ((double)k * rowCount), accuracy, rowCount);
    }

    private static TopKMetrics TopK<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, int classCount, int k)
        where T : struct, IFloatingPointIeee754<T>
    {
        Guard.CountAtLeastOne(classCount, nameof(classCount));
        Guard.KInRange(k, classCount, nameof(k));
        if (scores.Length != (long)labels.Length * classCount)
        {
            throw new ArgumentException(
                OodErrors.Format(OodErrors.LengthMismatch, nameof(scores), scores.Length, "labels x classCount", (long)labels.Length * classCount),
                nameof(scores));
        }

        Guard.NotEmpty(labels.Length, nameof(labels));
        Guard.AllFinite(scores, nameof(scores));
        var hits = new long[k + 1];
        for (int row = 0; row < labels.Length; row++)
        {
            Guard.Label(labels[row], classCount, row, nameof(labels));
            int rank = RankOfTrueLabel(scores.Slice(row * classCount, classCount), labels[row]);
            if (rank <= k)
            {
                hits[rank]++;
            }
        }

        return TopKFromRankCounts(hits, k, labels.Length);
    }
}
