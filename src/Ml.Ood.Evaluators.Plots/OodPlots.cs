using System.Globalization;
using ScottPlot;

namespace Ml.Ood.Evaluators;

/// <summary>
/// PNG plots of an <see cref="OodDetectionMetrics"/> or an <see cref="OodReport"/>, drawn with ScottPlot 5: ROC
/// curves and the ID-vs-OOD score histograms. One call each, from the metrics or report object.
/// </summary>
/// <remarks>
/// The plots live in their own package because ScottPlot 5.1 needs SkiaSharp 3, while ML.NET's ImageAnalytics
/// 5.0.1 is built against SkiaSharp 2.88 and fails with SkiaSharp 3 in the same process (MissingMethodException
/// on SKBitmap.GetPixelSpan): an application with an image pipeline keeps Ml.Ood.Evaluators and draws its plots
/// in another process (samples/QuickStart does). ScottPlot renders with SkiaSharp. This package takes SkiaSharp's native library only through
/// ScottPlot's own dependency (on Linux, <c>SkiaSharp.NativeAssets.Linux.NoDependencies</c>, which needs
/// no system fontconfig); applications on other platforms or with a trimmed runtime add the native
/// asset package that fits them.
/// </remarks>
public static class OodPlots
{
    /// <summary>Writes every method's ROC curve on one PNG, with the chance diagonal.</summary>
    /// <param name="report">The report whose methods to draw.</param>
    /// <param name="path">The PNG file to write; its folder must exist.</param>
    /// <param name="title">Plot title.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void SaveRocCurvesPng(this OodReport report, string path, string title = "ROC curves", int width = 640, int height = 560)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var plot = new Plot();
        ArgumentNullException.ThrowIfNull(report);
        foreach (var (method, metrics) in report.Entries)
        {
            OodPlots.AddRocCurve(plot, metrics, string.Create(CultureInfo.InvariantCulture, $"{method} (AUROC {metrics.AreaUnderRocCurve:F3})"));
        }

        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;
        plot.Title(title);
        plot.XLabel("False positive rate (ID rows flagged as OOD)");
        plot.YLabel("True positive rate (OOD rows flagged)");
        OodPlots.SetUnitAxes(plot);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, width, height);
    }

    /// <summary>Largest number of curve points drawn; longer curves are thinned evenly (they are monotone).</summary>
    private const int MaxDrawnPoints = 4000;

    /// <summary>
    /// Writes the ROC curve (OOD positive: x = ID rows flagged, y = OOD rows flagged) as a PNG, with the
    /// chance diagonal and the operating point behind FPR@95TPR marked.
    /// </summary>
    /// <param name="metrics">The metrics to draw.</param>
    /// <param name="path">The PNG file to write; its folder must exist.</param>
    /// <param name="title">Plot title; by default "ROC curve" with the AUROC.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void SaveRocCurvePng(this OodDetectionMetrics metrics, string path, string? title = null, int width = 640, int height = 560)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var plot = new Plot();
        AddRocCurve(plot, metrics, "ROC");
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;

        // The papers' FPR@95 threshold keeps >= 95% of ID rows, so at most 5% are flagged: on these
        // OOD-positive axes its point is (1 - ID kept, 1 - FPR@95).
        var (idKept, oodKept) = ThresholdWalk.OperatingPointAtIdRate(metrics.Groups, 0.95);
        var marker = plot.Add.Marker(1 - idKept, 1 - oodKept, MarkerShape.FilledCircle, 9, Colors.Red);
        marker.LegendText = Invariant($"FPR@95TPR = {metrics.FalsePositiveRateAtTruePositiveRate95:F4}");
        plot.Title(title ?? Invariant($"ROC curve (AUROC = {metrics.AreaUnderRocCurve:F4})"));
        plot.XLabel("False positive rate (ID rows flagged as OOD)");
        plot.YLabel("True positive rate (OOD rows flagged)");
        SetUnitAxes(plot);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, width, height);
    }

    /// <summary>
    /// Writes the score histograms of ID and OOD rows as a PNG, each normalised to its own row count so
    /// that unbalanced sets compare; overlap is where the detector cannot tell the two apart.
    /// </summary>
    /// <param name="metrics">The metrics to draw (they keep the score distribution).</param>
    /// <param name="path">The PNG file to write; its folder must exist.</param>
    /// <param name="binCount">Number of equal-width bins between the lowest and highest score.</param>
    /// <param name="title">Plot title; by default "Score distribution" with the AUROC.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void SaveScoreHistogramPng(
        this OodDetectionMetrics metrics, string path, int binCount = 40, string? title = null, int width = 760, int height = 480)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Guard.CountAtLeastOne(binCount, nameof(binCount));
        ScoreGroups g = metrics.Groups;
        double min = g.Scores[0], max = g.Scores[g.Count - 1];
        double binWidth = max > min ? (max - min) / binCount : 1.0;
        var id = new double[binCount];
        var ood = new double[binCount];
        for (int j = 0; j < g.Count; j++)
        {
            int bin = Math.Clamp((int)((g.Scores[j] - min) / binWidth), 0, binCount - 1);
            id[bin] += (double)g.IdCounts[j] / g.IdTotal;
            ood[bin] += (double)g.OodCounts[j] / g.OodTotal;
        }

        var centers = new double[binCount];
        for (int b = 0; b < binCount; b++)
        {
            centers[b] = min + (b + 0.5) * binWidth;
        }

        var plot = new Plot();
        AddBars(plot, centers, id, binWidth, Colors.Blue.WithAlpha(0.5), Invariant($"ID ({g.IdTotal:N0} rows)"));
        AddBars(plot, centers, ood, binWidth, Colors.OrangeRed.WithAlpha(0.5), Invariant($"OOD ({g.OodTotal:N0} rows)"));
        plot.Title(title ?? Invariant($"Score distribution (AUROC = {metrics.AreaUnderRocCurve:F4})"));
        plot.XLabel("Score (higher = more likely OOD)");
        plot.YLabel("Fraction of the class's rows");
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, width, height);
    }

    /// <summary>Adds one method's ROC curve (thinned to at most a few thousand points) to a plot.</summary>
    internal static void AddRocCurve(Plot plot, OodDetectionMetrics metrics, string legend)
    {
        IReadOnlyList<RocPoint> curve = metrics.GetRocCurve();
        int stride = Math.Max(1, (curve.Count + MaxDrawnPoints - 1) / MaxDrawnPoints);
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < curve.Count; i += stride)
        {
            xs.Add(curve[i].FalsePositiveRate);
            ys.Add(curve[i].TruePositiveRate);
        }

        xs.Add(1);
        ys.Add(1);
        var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
        line.LineWidth = 2;
        line.LegendText = legend;
    }

    /// <summary>The unit square with a small margin, so that curves along an edge (a perfect detector) stay visible.</summary>
    internal static void SetUnitAxes(Plot plot) => plot.Axes.SetLimits(-0.01, 1.01, -0.01, 1.01);

    private static void AddBars(Plot plot, double[] centers, double[] values, double width, Color color, string legend)
    {
        var bars = plot.Add.Bars(centers, values);
        foreach (var bar in bars.Bars)
        {
            bar.Size = width;
            bar.FillColor = color;
            bar.LineWidth = 0;
        }

        bars.LegendText = legend;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
