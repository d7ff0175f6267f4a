using System.Numerics;
using Ml.Ood.Evaluators.Common;

namespace Ml.Ood;

public static partial class OodMetrics
{
    /// <summary>OpenworldAUC, per-domain accuracies and base-vs-new AUROC, by sorting and counting.</summary>
    /// <param name="baseScores">Detection score of each base-domain row, higher = more likely new; finite.</param>
    /// <param name="baseCorrect">Whether each base-domain row is classified correctly among the base classes.</param>
    /// <param name="newScores">Detection score of each new-domain row; finite.</param>
    /// <param name="newCorrect">Whether each new-domain row is classified correctly among the new classes.</param>
    /// <remarks>
    /// Same shape as <see cref="EvaluateOpenSet(ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float})"/>,
    /// with the second group's correctness added: here both domains have classes to get right.
    /// </remarks>
    /// <exception cref="ArgumentException">Lengths differ, a domain is empty or a score is NaN or infinite.</exception>
    public static OpenWorldMetrics EvaluateOpenWorld(
        ReadOnlySpan<float> baseScores, ReadOnlySpan<bool> baseCorrect, ReadOnlySpan<float> newScores, ReadOnlySpan<bool> newCorrect) =>
        OpenWorld(baseScores, baseCorrect, newScores, newCorrect, nameof(baseScores), nameof(newScores));

    /// <inheritdoc cref="EvaluateOpenWorld(ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float}, ReadOnlySpan{bool})"/>
    public static OpenWorldMetrics EvaluateOpenWorld(
        ReadOnlySpan<double> baseScores, ReadOnlySpan<bool> baseCorrect, ReadOnlySpan<double> newScores, ReadOnlySpan<bool> newCorrect) =>
        OpenWorld(baseScores, baseCorrect, newScores, newCorrect, nameof(baseScores), nameof(newScores));

    /// <summary>
    /// OpenworldAUC (Hua et al., ICML 2025): mean over (base b, new n) pairs of
    /// 1[b correct] 1[n correct] (1[r_n &gt; r_b] + 1/2 1[r_n = r_b]). Higher is better.
    /// </summary>
    /// <inheritdoc cref="EvaluateOpenWorld(ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float}, ReadOnlySpan{bool})"/>
    public static double OpenworldAuc(
        ReadOnlySpan<float> baseScores, ReadOnlySpan<bool> baseCorrect, ReadOnlySpan<float> newScores, ReadOnlySpan<bool> newCorrect) =>
        EvaluateOpenWorld(baseScores, baseCorrect, newScores, newCorrect).OpenworldAuc;

    /// <inheritdoc cref="OpenworldAuc(ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float}, ReadOnlySpan{bool})"/>
    public static double OpenworldAuc(
        ReadOnlySpan<double> baseScores, ReadOnlySpan<bool> baseCorrect, ReadOnlySpan<double> newScores, ReadOnlySpan<bool> newCorrect) =>
        EvaluateOpenWorld(baseScores, baseCorrect, newScores, newCorrect).OpenworldAuc;

    internal static OpenWorldMetrics OpenWorld<T>(
        ReadOnlySpan<T> baseScores, ReadOnlySpan<bool> baseCorrect, ReadOnlySpan<T> newScores, ReadOnlySpan<bool> newCorrect, string baseName, string newName)
        where T : struct, IFloatingPointIeee754<T>
    {
        Guard.SameLength(baseCorrect.Length, nameof(baseCorrect), baseScores.Length, baseName);
        Guard.SameLength(newCorrect.Length, nameof(newCorrect), newScores.Length, newName);
        Guard.NotEmpty(baseScores.Length, baseName);
        Guard.NotEmpty(newScores.Length, newName);
        Guard.AllFinite(baseScores, baseName);
        Guard.AllFinite(newScores, newName);
        (T[] baseRight, T[] baseWrong) = SplitSorted(baseScores, baseCorrect);
        (T[] newRight, T[] newWrong) = SplitSorted(newScores, newCorrect);

        // Hua et al., ICML 2025 (arXiv 2505.05180), definition of OpenworldAUC:
        // E_{b,n}[ 1[h_b(x_b) = y_b] * 1[h_n(x_n) = y_n] * 1[r(x_n) > r(x_b)] ], ties one half
        // (docs/FORMULAS.md; openworldauc.json). Only correct-correct pairs count; all pairs divide.
        long both = SortedCounting.TwiceOrderedPairs<T>(baseRight, newRight);
        long all = both
            + SortedCounting.TwiceOrderedPairs<T>(baseRight, newWrong)
            + SortedCounting.TwiceOrderedPairs<T>(baseWrong, newRight)
            + SortedCounting.TwiceOrderedPairs<T>(baseWrong, newWrong);
        double pairs = 2.0 * baseScores.Length * newScores.Length;
        return new OpenWorldMetrics(
            both / pairs,
            (double)baseRight.Length / baseScores.Length,
            (double)newRight.Length / newScores.Length,
            all / pairs,
            baseScores.Length,
            newScores.Length);
    }
}
