using System.Globalization;
using System.Text;

namespace Ml.Ood;

/// <summary>
/// Several detectors' <see cref="OodDetectionMetrics"/> side by side: a markdown table in the layout of
/// OOD papers (percentages, best value per column in bold) and one PNG with all their ROC curves.
/// </summary>
/// <example>
/// <code>
/// var report = new OodReport().Add("Energy", energy).Add("KNN", knn);
/// File.WriteAllText("results.md", report.ToMarkdown());
/// report.SaveRocCurvesPng("roc.png");   // with Ml.Ood.Evaluators.Plots
/// </code>
/// </example>
public sealed class OodReport
{
    private readonly List<(string Method, OodDetectionMetrics Metrics)> _rows = [];

    /// <summary>The methods added so far, in order.</summary>
    public IReadOnlyList<string> Methods => _rows.ConvertAll(r => r.Method);

    /// <summary>The methods and their metrics, in the order added (what plots of the report draw).</summary>
    public IReadOnlyList<(string Method, OodDetectionMetrics Metrics)> Entries => _rows;

    /// <summary>Adds one method's metrics as the next row.</summary>
    /// <param name="method">The name shown in the table and the legend.</param>
    /// <param name="metrics">The method's metrics.</param>
    /// <returns>This report, to chain calls.</returns>
    public OodReport Add(string method, OodDetectionMetrics metrics)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(metrics);
        _rows.Add((method, metrics));
        return this;
    }

    /// <summary>
    /// The markdown table: one row per method; AUROC, AUPR-In, AUPR-Out, FPR@95TPR (papers'),
    /// FPR@95TPR (OOD positive) and detection error in percent, arrows saying which direction is better,
    /// the best value of each column in bold.
    /// </summary>
    public string ToMarkdown()
    {
        var columns = new (string Header, Func<OodDetectionMetrics, double> Value, bool HigherIsBetter)[]
        {
            ("AUROC ↑", m => m.AreaUnderRocCurve, true),
            ("AUPR-In ↑", m => m.AreaUnderPrecisionRecallCurveIn, true),
            ("AUPR-Out ↑", m => m.AreaUnderPrecisionRecallCurveOut, true),
            ("FPR@95TPR ↓", m => m.FalsePositiveRateAtTruePositiveRate95, false),
            ("FPR@95TPR OOD-pos. ↓", m => m.FalsePositiveRateAtOodTruePositiveRate95, false),
            ("Det. error ↓", m => m.DetectionError, false),
        };
        var sb = new StringBuilder();
        sb.Append("| Method |");
        foreach (var c in columns)
        {
            sb.Append(' ').Append(c.Header).Append(" |");
        }

        sb.AppendLine(" ID rows | OOD rows |");
        sb.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", columns.Length + 2))).AppendLine();
        foreach (var (method, metrics) in _rows)
        {
            sb.Append("| ").Append(method.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |");
            foreach (var c in columns)
            {
                string cell = (100 * c.Value(metrics)).ToString("F2", CultureInfo.InvariantCulture);
                bool best = _rows.Count > 1 && IsBest(c.Value(metrics), c.Value, c.HigherIsBetter);
                sb.Append(' ').Append(best ? "**" + cell + "**" : cell).Append(" |");
            }

            sb.Append(CultureInfo.InvariantCulture, $" {metrics.InDistributionCount} | {metrics.OodCount} |").AppendLine();
        }

        sb.AppendLine();
        sb.AppendLine("Values in %. Scores: higher = OOD. FPR@95TPR: OOD rows kept at the threshold keeping 95% of ID rows; the OOD-positive column is OpenOOD v1.5's ID rows flagged at 95% of OOD rows caught.");
        return sb.ToString();
    }

    /// <inheritdoc cref="ToMarkdown"/>
    public override string ToString() => ToMarkdown();

    private bool IsBest(double value, Func<OodDetectionMetrics, double> metric, bool higherIsBetter)
    {
        foreach (var (_, other) in _rows)
        {
            double v = metric(other);
            if (higherIsBetter ? v > value : v < value)
            {
                return false;
            }
        }

        return true;
    }
}
