using System.Globalization;
using System.Text;

namespace Ml.Ood;

/// <summary>
/// Top-k metrics for multiclass scores: AUTKC@K (Wang et al., 2022, "Optimizing Partial Area Under the
/// Top-k Curve") and the top-k accuracy for every k from 1 to K. A class tied with the true class ranks
/// above it (ties count against the true label), as in the AUTKC authors' XCurve code.
/// </summary>
public sealed class TopKMetrics
{
    private readonly double[] _topKAccuracy;

    internal TopKMetrics(int k, double autkc, double[] topKAccuracy, int rowCount)
    {
        K = k;
        AreaUnderTopKCurve = autkc;
        _topKAccuracy = topKAccuracy;
        RowCount = rowCount;
    }

    /// <summary>The K the metrics were computed for.</summary>
    public int K { get; }

    /// <summary>
    /// AUTKC@K: mean over rows of (1/K) sum_{k=1..K} 1[rank of the true label &lt;= k], the mean of the
    /// top-1 ... top-K accuracies; rewards a true label ranked near the top, not only inside the top K.
    /// In [0, 1]. Higher is better.
    /// </summary>
    public double AreaUnderTopKCurve { get; }

    /// <summary>Top-k accuracy for k = 1..K (entry k - 1): fraction of rows whose true label ranks &lt;= k. Higher is better.</summary>
    public IReadOnlyList<double> TopKAccuracy => _topKAccuracy;

    /// <summary>Number of rows evaluated.</summary>
    public int RowCount { get; }

    /// <summary>A multi-line summary: AUTKC@K and each top-k accuracy.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Top-k metrics ({RowCount:N0} rows; ties count against the true label)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {"AUTKC@" + K,-16}{AreaUnderTopKCurve,8:F4}  (higher is better)");
        for (int k = 1; k <= K; k++)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {"Top-" + k + " accuracy",-16}{_topKAccuracy[k - 1],8:F4}  (higher is better)");
        }

        return sb.ToString();
    }
}
