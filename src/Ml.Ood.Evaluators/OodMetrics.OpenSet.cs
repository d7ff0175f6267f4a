namespace Ml.Ood.Evaluators;

public static partial class OodMetrics
{
    /// <summary>OpenAUC, closed-set accuracy and known-vs-unknown AUROC, by sorting and counting.</summary>
    /// <param name="knownLabels">True class of each known-class row; non-negative.</param>
    /// <param name="knownPredictedLabels">Closed-set prediction for each known-class row.</param>
    /// <param name="knownScores">Open-set score of each known-class row, higher = more likely unknown; finite.</param>
    /// <param name="unknownScores">Open-set score of each unknown-class row; finite.</param>
    /// <exception cref="ArgumentException">Lengths differ, a side is empty or a score is NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is negative.</exception>
    public static OpenSetMetrics EvaluateOpenSet(
        ReadOnlySpan<int> knownLabels, ReadOnlySpan<int> knownPredictedLabels, ReadOnlySpan<float> knownScores, ReadOnlySpan<float> unknownScores)
    {
        bool[] correct = KnownCorrect(knownLabels, knownPredictedLabels, knownScores.Length);
        return OpenSet(knownScores, correct, unknownScores, nameof(knownScores), nameof(unknownScores));
    }

    /// <summary>
    /// OpenAUC (Wang et al., NeurIPS 2022, arXiv 2210.13458): mean over (known k, unknown u) pairs of
    /// 1[yhat_k = y_k] (1[r_u &gt; r_k] + 1/2 1[r_u = r_k]). Higher is better.
    /// </summary>
    /// <inheritdoc cref="EvaluateOpenSet(ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>
    public static double OpenAuc(
        ReadOnlySpan<int> knownLabels, ReadOnlySpan<int> knownPredictedLabels, ReadOnlySpan<float> knownScores, ReadOnlySpan<float> unknownScores) =>
        EvaluateOpenSet(knownLabels, knownPredictedLabels, knownScores, unknownScores).OpenAuc;

    internal static bool[] KnownCorrect(ReadOnlySpan<int> labels, ReadOnlySpan<int> predicted, int scoreCount)
    {
        Guard.SameLength(predicted.Length, "knownPredictedLabels", labels.Length, "knownLabels");
        Guard.SameLength(scoreCount, "knownScores", labels.Length, "knownLabels");
        var correct = new bool[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            Guard.NonNegativeLabel(labels[i], i, "knownLabels");
            Guard.NonNegativeLabel(predicted[i], i, "knownPredictedLabels");
            correct[i] = labels[i] == predicted[i];
        }

        return correct;
    }

    internal static OpenSetMetrics OpenSet(
        ReadOnlySpan<float> knownScores, ReadOnlySpan<bool> knownCorrect, ReadOnlySpan<float> unknownScores, string knownName, string unknownName)
    {
        Guard.NotEmpty(knownScores.Length, knownName);
        Guard.NotEmpty(unknownScores.Length, unknownName);
        Guard.AllFinite(knownScores, knownName);
        Guard.AllFinite(unknownScores, unknownName);
        (float[] right, float[] wrong) = SplitSorted(knownScores, knownCorrect);
        float[] unknown = unknownScores.ToArray();
        FloatSort.Ascending(unknown);

        // Misclassified known rows contribute nothing to OpenAUC but still sit in its denominator: the
        // sum over correct rows only, divided by all n_k * n_u pairs, is exactly the paper's pairwise definition.
        long rightPairs = SortedCounting.TwiceOrderedPairs(right, unknown);
        long wrongPairs = SortedCounting.TwiceOrderedPairs(wrong, unknown);
        double pairs = 2.0 * knownScores.Length * unknown.Length;
        return new OpenSetMetrics(
            rightPairs / pairs,
            (double)right.Length / knownScores.Length,
            (rightPairs + wrongPairs) / pairs,
            knownScores.Length,
            unknown.Length);
    }

    /// <summary>Splits scores by a per-row flag into two sorted arrays (flag true first).</summary>
    internal static (float[] Flagged, float[] Others) SplitSorted(ReadOnlySpan<float> scores, ReadOnlySpan<bool> flags)
    {
        int flagged = 0;
        foreach (bool f in flags)
        {
            flagged += f ? 1 : 0;
        }

        var yes = new float[flagged];
        var no = new float[scores.Length - flagged];
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

        FloatSort.Ascending(yes);
        FloatSort.Ascending(no);
        return (yes, no);
    }
}
