using System.Globalization;
using System.Text;

namespace Ml.Ood;

/// <summary>
/// Multi-label ranking metrics at a cut-off K: TKPR@K (Wang et al., ICML 2024, "Top-K Pairwise Ranking",
/// arXiv 2407.06709) with precision@K, recall@K, mAP@K, NDCG@K and the ranking loss beside it. Rows with
/// no positive label are skipped and counted in <see cref="SkippedRowCount"/>.
/// </summary>
/// <remarks>
/// Ties: every metric here breaks a tie between a positive and a negative label against the positive
/// (the negative ranks first), like TKPR's strict f_p &gt; f_n and AUTKC's pessimistic rank; scikit-learn's
/// <c>label_ranking_loss</c> counts such a tie as a mis-ordered pair too.
/// </remarks>
public sealed class MultiLabelRankingMetrics
{
    internal MultiLabelRankingMetrics(
        int k, double tkpr, double precision, double recall, double map, double ndcg, double rankingLoss, int rowCount, int skipped)
    {
        K = k;
        TopKPairwiseRanking = tkpr;
        PrecisionAtK = precision;
        RecallAtK = recall;
        MeanAveragePrecisionAtK = map;
        NormalizedDiscountedCumulativeGainAtK = ndcg;
        RankingLoss = rankingLoss;
        RowCount = rowCount;
        SkippedRowCount = skipped;
    }

    /// <summary>The cut-off K.</summary>
    public int K { get; }

    /// <summary>
    /// TKPR@K: mean over rows of 1/(K |P|) sum_{p in P} sum_{n in top-K negatives} 1[f_p &gt; f_n], the
    /// fraction of (positive, top-K negative) pairs ranked correctly; equals AUTKC@K when |P| = 1. Higher is better.
    /// </summary>
    public double TopKPairwiseRanking { get; }

    /// <summary>Precision@K: mean fraction of the K top-ranked labels that are positive. Higher is better.</summary>
    public double PrecisionAtK { get; }

    /// <summary>Recall@K: mean fraction of a row's positive labels found among its K top-ranked labels. Higher is better.</summary>
    public double RecallAtK { get; }

    /// <summary>
    /// mAP@K: mean over rows of AP@K = (1 / min(K, |P|)) sum_{i &lt;= K, label i positive} precision@i.
    /// Higher is better.
    /// </summary>
    public double MeanAveragePrecisionAtK { get; }

    /// <summary>
    /// NDCG@K with binary relevance: DCG@K = sum_{i &lt;= K, label i positive} 1/log2(i + 1), divided by the
    /// DCG of a perfect ranking of the row. Higher is better.
    /// </summary>
    public double NormalizedDiscountedCumulativeGainAtK { get; }

    /// <summary>
    /// Ranking loss: mean over rows of the fraction of (positive, negative) pairs with f_n &gt;= f_p
    /// (scikit-learn's <c>label_ranking_loss</c> on the evaluated rows); it does not depend on K. Lower is better.
    /// </summary>
    public double RankingLoss { get; }

    /// <summary>Number of rows evaluated (rows with at least one positive label).</summary>
    public int RowCount { get; }

    /// <summary>Number of rows skipped because they have no positive label.</summary>
    public int SkippedRowCount { get; }

    /// <summary>A multi-line summary: each metric, its value and which direction is better.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Multi-label ranking metrics at K = {K} ({RowCount:N0} rows, {SkippedRowCount:N0} without a positive label skipped)");
        Line(sb, "TKPR@" + K, TopKPairwiseRanking, "higher is better");
        Line(sb, "Precision@" + K, PrecisionAtK, "higher is better");
        Line(sb, "Recall@" + K, RecallAtK, "higher is better");
        Line(sb, "mAP@" + K, MeanAveragePrecisionAtK, "higher is better");
        Line(sb, "NDCG@" + K, NormalizedDiscountedCumulativeGainAtK, "higher is better");
        Line(sb, "Ranking loss", RankingLoss, "lower is better");
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string name, double value, string note) =>
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {name,-14}{value,8:F4}  ({note})");
}
