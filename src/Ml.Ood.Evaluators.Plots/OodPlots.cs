using Ml.Ood.Evaluators.Common;
using ScottPlot;

namespace Ml.Ood;

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
    /// <summary>
    /// Writes every method's ROC curve on one PNG, on the papers' axes (x = OOD rows accepted as ID, y = ID rows
    /// kept), with the chance diagonal, the TPR = 95% line and each method's FPR@95TPR point on it.
    /// </summary>
    /// <remarks>
    /// Each method has its own colour, line pattern and marker shape (markers are spread along the curve and
    /// offset per method), so that curves which coincide, as good detectors' curves do near the corner, stay
    /// distinguishable; the legend sits outside the data area and gives each method's AUROC and FPR@95TPR.
    /// </remarks>
    /// <param name="report">The report whose methods to draw.</param>
    /// <param name="path">The PNG file to write; its folder must exist.</param>
    /// <param name="title">Plot title.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void SaveRocCurvesPng(this OodReport report, string path, string title = "ROC curves", int width = 760, int height = 860)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var plot = new Plot();
        var guides = RocDrawing.AddGuides(plot);
        var entries = report.Entries;
        var legend = new List<LegendItem>();
        for (int i = 0; i < entries.Count; i++)
        {
            var (method, metrics) = entries[i];
            legend.Add(RocDrawing.AddCurve(plot, metrics, RocDrawing.Invariant(
                $"{method}: AUROC {metrics.AreaUnderRocCurve:F4}, FPR@95 {metrics.FalsePositiveRateAtTruePositiveRate95:F4}"), i, entries.Count));
        }

        plot.Title(title);
        RocDrawing.SetAxes(plot);
        ShowLegendOutside(plot, legend.Concat(guides));
        plot.SavePng(path, width, height);
    }

    /// <summary>
    /// Writes the ROC curve as a PNG on the papers' axes (x = FPR, the OOD rows accepted as ID; y = TPR, the ID
    /// rows kept), with the chance diagonal and the FPR@95TPR point marked where the curve reaches TPR = 95%: its
    /// x coordinate is the FPR@95TPR value.
    /// </summary>
    /// <param name="metrics">The metrics to draw.</param>
    /// <param name="path">The PNG file to write; its folder must exist.</param>
    /// <param name="title">Plot title; by default "ROC curve" with the AUROC.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void SaveRocCurvePng(this OodDetectionMetrics metrics, string path, string? title = null, int width = 720, int height = 760)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var plot = new Plot();
        var guides = RocDrawing.AddGuides(plot);
        var curve = RocDrawing.AddCurve(plot, metrics, "ROC", 0, 1);
        var (x, y) = RocDrawing.OperatingPoint(metrics);
        var point = plot.Add.Marker(x, y, MarkerShape.OpenCircle, 16, Colors.Red);
        point.MarkerLineWidth = 2.5f;
        var label = plot.Add.Text(RocDrawing.Invariant($"FPR@95TPR = {metrics.FalsePositiveRateAtTruePositiveRate95:F4}"), x, y);
        label.LabelFontSize = 13;
        label.LabelFontColor = Colors.Red;
        // Below-right of the point while there is room, below-left near the right edge.
        label.LabelAlignment = x < 0.6 ? Alignment.UpperLeft : Alignment.UpperRight;
        label.OffsetX = x < 0.6 ? 8 : -8;
        label.OffsetY = 10;
        var pointLegend = new LegendItem
        {
            LabelText = RocDrawing.Invariant($"FPR@95TPR = {metrics.FalsePositiveRateAtTruePositiveRate95:F4} (x at TPR 95%)"),
            MarkerShape = MarkerShape.OpenCircle,
            MarkerColor = Colors.Red,
            MarkerSize = 12,
            LineWidth = 0,
        };
        plot.Title(title ?? RocDrawing.Invariant($"ROC curve (AUROC = {metrics.AreaUnderRocCurve:F4})"));
        RocDrawing.SetAxes(plot);
        ShowLegendOutside(plot, [curve, pointLegend, guides[0]]);
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
        // Outside the data area: inside it, the legend hides whichever bars fall under its corner.
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.SavePng(path, width, height);
    }

    /// <summary>Shows <paramref name="items"/> as the only legend, below the data area, where it covers no curve.</summary>
    private static void ShowLegendOutside(Plot plot, IEnumerable<LegendItem> items)
    {
        plot.Legend.ManualItems.AddRange(items);
        plot.Legend.DisplayPlottableLegendItems = false;
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Vertical;
    }

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

    private static string Invariant(FormattableString s) => RocDrawing.Invariant(s);
}
