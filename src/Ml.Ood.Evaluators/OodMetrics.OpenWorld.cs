namespace Ml.Ood.Evaluators;

public static partial class OodMetrics
{
    /// <summary>OpenworldAUC, per-domain accuracies and base-vs-new AUROC, by sorting and counting.</summary>
    /// <param name="baseScores">Detection score of each base-domain row, higher = more likely new; finite.</param>
    /// <param name="baseCorrect">Whether each base-domain row is classified correctly among the base classes.</param>
    /// <param name="newScores">Detection score of each new-domain row; finite.</param>
    /// <param name="newCorrect">Whether each new-domain row is classified correctly among the new classes.</param>
    /// <exception cref="ArgumentException">Lengths differ, a domain is empty or a score is NaN or infinite.</exception>
    public static OpenWorldMetrics EvaluateOpenWorld(
        ReadOnlySpan<float> baseScores, ReadOnlySpan<bool> baseCorrect, ReadOnlySpan<float> newScores, ReadOnlySpan<bool> newCorrect)
    {
        Guard.SameLength(baseCorrect.Length, nameof(baseCorrect), baseScores.Length, nameof(baseScores));
        Guard.SameLength(newCorrect.Length, nameof(newCorrect), newScores.Length, nameof(newScores));
        Guard.NotEmpty(baseScores.Length, nameof(baseScores));
        Guard.NotEmpty(newScores.Length, nameof(newScores));
        Guard.AllFinite(baseScores, nameof(baseScores));
        Guard.AllFinite(newScores, nameof(newScores));
        (float[] baseRight, float[] baseWrong) = SplitSorted(baseScores, baseCorrect);
        (float[] newRight, float[] newWrong) = SplitSorted(newScores, newCorrect);

        // Hua et al., ICML 2025 (arXiv 2505.05180), definition of OpenworldAUC:
        // E_{b,n}[ 1[h_b(x_b) = y_b] * 1[h_n(x_n) = y_n] * 1[r(x_n) > r(x_b)] ], ties one half
        // (docs/FORMULAS.md; openworldauc.json). Only correct-correct pairs count; all pairs divide.
        long both = SortedCounting.TwiceOrderedPairs(baseRight, newRight);
        long all = both
            + SortedCounting.TwiceOrderedPairs(baseRight, newWrong)
            + SortedCounting.TwiceOrderedPairs(baseWrong, newRight)
            + SortedCounting.TwiceOrderedPairs(baseWrong, newWrong);
        double pairs = 2.0 * baseScores.Length * newScores.Length;
        return new OpenWorldMetrics(
            both / pairs,
            (double)baseRight.Length / baseScores.Length,
            (double)newRight.Length / newScores.Length,
            all / pairs,
            baseScores.Length,
            newScores.Length);
    }

    /// <summary>
    /// OpenworldAUC (Hua et al., ICML 2025): mean over (base b, new n) pairs of
    /// 1[b correct] 1[n correct] (1[r_n &gt; r_b] + 1/2 1[r_n = r_b]). Higher is better.
    /// </summary>
    /// <inheritdoc cref="EvaluateOpenWorld(ReadOnlySpan{float}, ReadOnlySpan{bool}, ReadOnlySpan{float}, ReadOnlySpan{bool})"/>
    public static double OpenworldAuc(
        ReadOnlySpan<float> baseScores, ReadOnlySpan<bool> baseCorrect, ReadOnlySpan<float> newScores, ReadOnlySpan<bool> newCorrect) =>
        EvaluateOpenWorld(baseScores, baseCorrect, newScores, newCorrect).OpenworldAuc;
}
