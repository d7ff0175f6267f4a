using System.Globalization;
using System.Text;

namespace Ml.Ood;

/// <summary>
/// Open-world metrics (Hua et al., ICML 2025): test rows from a base domain (classes seen in training) and
/// a new domain (named but unseen classes), a detection score (higher = more likely new) and a classifier
/// per domain.
/// </summary>
public sealed class OpenWorldMetrics
{
    internal OpenWorldMetrics(double openworldAuc, double baseAccuracy, double newAccuracy, double auroc, int baseCount, int newCount)
    {
        OpenworldAuc = openworldAuc;
        BaseAccuracy = baseAccuracy;
        NewAccuracy = newAccuracy;
        AreaUnderRocCurve = auroc;
        BaseCount = baseCount;
        NewCount = newCount;
    }

    /// <summary>
    /// OpenworldAUC: over all (base, new) pairs, the fraction where the new row scores above the base row
    /// (ties one half), the base row is classified correctly among the base classes and the new row among
    /// the new classes. It couples detection with both classifications and does not depend on the
    /// base/new ratio. Higher is better.
    /// </summary>
    public double OpenworldAuc { get; }

    /// <summary>Fraction of base-domain rows classified correctly among the base classes. Higher is better.</summary>
    public double BaseAccuracy { get; }

    /// <summary>Fraction of new-domain rows classified correctly among the new classes. Higher is better.</summary>
    public double NewAccuracy { get; }

    /// <summary>AUROC of new (positive) vs base rows on the detection score, ties one half. Higher is better.</summary>
    public double AreaUnderRocCurve { get; }

    /// <summary>Number of base-domain rows.</summary>
    public int BaseCount { get; }

    /// <summary>Number of new-domain rows.</summary>
    public int NewCount { get; }

    /// <summary>A multi-line summary: each metric, its value and which direction is better.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Open-world metrics ({BaseCount:N0} base rows, {NewCount:N0} new rows)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {"OpenworldAUC",-16}{OpenworldAuc,8:F4}  (higher is better)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {"Base accuracy",-16}{BaseAccuracy,8:F4}  (higher is better)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {"New accuracy",-16}{NewAccuracy,8:F4}  (higher is better)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {"AUROC",-16}{AreaUnderRocCurve,8:F4}  (higher is better; base vs new)");
        return sb.ToString();
    }
}
