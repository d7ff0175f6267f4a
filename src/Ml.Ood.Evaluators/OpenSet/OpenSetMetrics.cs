using System.Globalization;
using System.Text;

namespace Ml.Ood;

/// <summary>
/// Open-set recognition metrics for a closed-set classifier paired with an open-set score (higher = more
/// likely unknown): OpenAUC, closed-set accuracy on known rows and the AUROC of known vs unknown.
/// </summary>
public sealed class OpenSetMetrics
{
    internal OpenSetMetrics(double openAuc, double accuracy, double auroc, int knownCount, int unknownCount)
    {
        OpenAuc = openAuc;
        ClosedSetAccuracy = accuracy;
        AreaUnderRocCurve = auroc;
        KnownCount = knownCount;
        UnknownCount = unknownCount;
    }

    /// <summary>
    /// OpenAUC (Wang et al., NeurIPS 2022): over all (known, unknown) pairs, the fraction where the known
    /// row is classified correctly and the unknown row scores higher, ties counting one half. A
    /// misclassified known row never counts, so OpenAUC is at most <see cref="ClosedSetAccuracy"/> and at
    /// most <see cref="AreaUnderRocCurve"/>. Higher is better.
    /// </summary>
    public double OpenAuc { get; }

    /// <summary>Fraction of known rows whose predicted class equals the true class. Higher is better.</summary>
    public double ClosedSetAccuracy { get; }

    /// <summary>
    /// AUROC of unknown (positive) vs known rows on the open-set score, ties one half; it ignores the
    /// classification (novelty-detection AUC). Higher is better.
    /// </summary>
    public double AreaUnderRocCurve { get; }

    /// <summary>Number of known-class rows.</summary>
    public int KnownCount { get; }

    /// <summary>Number of unknown-class rows.</summary>
    public int UnknownCount { get; }

    /// <summary>A multi-line summary: each metric, its value and which direction is better.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Open-set metrics ({KnownCount:N0} known rows, {UnknownCount:N0} unknown rows)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {"OpenAUC",-20}{OpenAuc,8:F4}  (higher is better)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {"Closed-set accuracy",-20}{ClosedSetAccuracy,8:F4}  (higher is better)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {"AUROC",-20}{AreaUnderRocCurve,8:F4}  (higher is better; known vs unknown)");
        return sb.ToString();
    }
}
