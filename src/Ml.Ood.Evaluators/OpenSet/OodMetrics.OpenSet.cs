using System.Numerics;
using Ml.Ood.Evaluators.Common;

namespace Ml.Ood;

public static partial class OodMetrics
{
    /// <summary>OpenAUC, closed-set accuracy and known-vs-unknown AUROC, by sorting and counting.</summary>
    /// <param name="knownScores">Open-set score of each known-class row, higher = more likely unknown; finite.</param>
    /// <param name="knownCorrect">
    /// Whether each known-class row is classified correctly by the closed-set classifier (predicted class = true class).
    /// </param>
    /// <param name="unknownScores">Open-set score of each unknown-class row; finite.</param>
    /// <remarks>
    /// Same shape as <see cref="EvaluateOpenWorld(ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float}, ReadOnlySpan{bool})"/>:
    /// scores and per-row correctness for the rows of seen classes, then the other group. Unknown rows have no
    /// class to get right, so they have scores only.
    /// </remarks>
    /// <exception cref="ArgumentException">Lengths differ, a side is empty or a score is NaN or infinite.</exception>
    public static OpenSetMetrics EvaluateOpenSet(ReadOnlySpan<float> knownScores, ReadOnlySpan<bool> knownCorrect, ReadOnlySpan<float> unknownScores) =>
        OpenSet(knownScores, knownCorrect, unknownScores, nameof(knownScores), nameof(knownCorrect), nameof(unknownScores));

    /// <inheritdoc cref="EvaluateOpenSet(ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static OpenSetMetrics EvaluateOpenSet(ReadOnlySpan<double> knownScores, ReadOnlySpan<bool> knownCorrect, ReadOnlySpan<double> unknownScores) =>
        OpenSet(knownScores, knownCorrect, unknownScores, nameof(knownScores), nameof(knownCorrect), nameof(unknownScores));

    /// <summary>
    /// OpenAUC (Wang et al., NeurIPS 2022, arXiv 2210.13458): mean over (known k, unknown u) pairs of
    /// 1[yhat_k = y_k] (1[r_u &gt; r_k] + 1/2 1[r_u = r_k]). Higher is better.
    /// </summary>
    /// <inheritdoc cref="EvaluateOpenSet(ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double OpenAuc(ReadOnlySpan<float> knownScores, ReadOnlySpan<bool> knownCorrect, ReadOnlySpan<float> unknownScores) =>
        EvaluateOpenSet(knownScores, knownCorrect, unknownScores).OpenAuc;

    /// <inheritdoc cref="OpenAuc(ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double OpenAuc(ReadOnlySpan<double> knownScores, ReadOnlySpan<bool> knownCorrect, ReadOnlySpan<double> unknownScores) =>
        EvaluateOpenSet(knownScores, knownCorrect, unknownScores).OpenAuc;

    internal static OpenSetMetrics OpenSet<T>(
        ReadOnlySpan<T> knownScores, ReadOnlySpan<bool> knownCorrect, ReadOnlySpan<T> unknownScores, string knownName, string correctName, string unknownName)
        where T : struct, IFloatingPointIeee754<T>
    {
        Guard.SameLength(knownCorrect.Length, correctName, knownScores.Length, knownName);
        Guard.NotEmpty(knownScores.Length, knownName);
        Guard.NotEmpty(unknownScores.Length, unknownName);
        Guard.AllFinite(knownScores, knownName);
        Guard.AllFinite(unknownScores, unknownName);
        (T[] right, T[] wrong) = SplitSorted(knownScores, knownCorrect);
        T[] unknown = unknownScores.ToArray();
        ScoreSort.Ascending(unknown);

        // Misclassified known rows contribute nothing to OpenAUC but still sit in its denominator: the
        // sum over correct rows only, divided by all n_k * n_u pairs, is exactly the paper's pairwise definition.
        long rightPairs = SortedCounting.TwiceOrderedPairs<T>(right, unknown);
        long wrongPairs = SortedCounting.TwiceOrderedPairs<T>(wrong, unknown);
        double pairs = 2.0 * knownScores.Length * unknown.Length;
        return new OpenSetMetrics(
            rightPairs / pairs,
            (double)right.Length / knownScores.Length,
            (rightPairs + wrongPairs) / pairs,
            knownScores.Length,
            unknown.Length);
    }

    /// <summary>Splits scores by a per-row flag into two sorted arrays (flag true first).</summary>
    internal static (T[] Flagged, T[] Others) SplitSorted<T>(ReadOnlySpan<T> scores, ReadOnlySpan<bool> flags)
        where T : struct, IFloatingPointIeee754<T>
    {
        int flagged = 0;
        foreach (bool f in flags)
        {
            flagged += f ? 1 : 0;
        }

        var yes = new T[flagged];
        var no = new T[scores.Length - flagged];
        int y = 0, n = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (flags[i])
            {
                yes[y++] = scores[i];
            }
            else
            {
                no[n++] = scores[i];
            }
        }

        ScoreSort.Ascending(yes);
        ScoreSort.Ascending(no);
        return (yes, no);
    }
}
