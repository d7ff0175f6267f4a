using System.Globalization;
using ScottPlot;

namespace Ml.Ood;

/// <summary>
/// Draws ROC curves on the papers' axes (ID positive: x = OOD rows accepted as ID, y = ID rows kept as ID), so
/// that FPR@95TPR is read off the x axis where a curve crosses y = 0.95. Each method gets its own colour, line
/// pattern and marker shape: good detectors crowd into one corner, and colour alone hides one curve under another.
/// </summary>
internal static class RocDrawing
{
    /// <summary>Largest number of curve points drawn; longer curves are thinned evenly (they are monotone).</summary>
    private const int MaxDrawnPoints = 4000;

    /// <summary>Markers placed along each curve, so that coinciding curves still show every method's symbol.</summary>
    private const int MarkersPerCurve = 6;

    private static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    private static readonly MarkerShape[] Shapes =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleDown, MarkerShape.Cross,
    ];

    /// <summary>The style of the <paramref name="index"/>-th method of <paramref name="count"/>.</summary>
    public static (Color Color, LinePattern Pattern, MarkerShape Shape, float Width) Style(int index, int count)
    {
        var palette = new ScottPlot.Palettes.Category10();
        // Earlier curves are drawn wider and first, later ones thinner on top: where two coincide, both stay visible.
        float width = count <= 1 ? 2.5f : 4.5f - 2.5f * index / (count - 1);
        return (palette.GetColor(index), Patterns[index % Patterns.Length], Shapes[index % Shapes.Length], width);
    }

    /// <summary>Adds one method's curve, its spread-out markers and its FPR@95 point; returns its legend item.</summary>
    public static LegendItem AddCurve(Plot plot, OodDetectionMetrics metrics, string legend, int index, int count)
    {
        var (color, pattern, shape, width) = Style(index, count);
        var (xs, ys) = IdPositivePoints(metrics);

        var line = plot.Add.ScatterLine(xs, ys);
        line.Color = color;
        line.LineWidth = width;
        line.LinePattern = pattern;

        var (mx, my) = SpreadOut(xs, ys, (index + 1.0) / (count + 1.0));
        var markers = plot.Add.ScatterPoints(mx, my);
        markers.Color = color;
        markers.MarkerShape = shape;
        markers.MarkerSize = 8;

        var (x95, y95) = OperatingPoint(metrics);
        var point = plot.Add.Marker(x95, y95, shape, 12, color);
        point.MarkerLineWidth = 2;

        return new LegendItem
        {
            LabelText = legend,
            LineColor = color,
            LineWidth = Math.Min(width, 3),
            LinePattern = pattern,
            MarkerShape = shape,
            MarkerColor = color,
            MarkerSize = 8,
        };
    }

    /// <summary>The chance diagonal and the TPR = 95% line on which every FPR@95 point lies; returns their legend items.</summary>
    public static LegendItem[] AddGuides(Plot plot)
    {
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;
        var tpr95 = plot.Add.HorizontalLine(0.95);
        tpr95.LinePattern = LinePattern.Dotted;
        tpr95.Color = Colors.Black.WithAlpha(0.6);
        tpr95.LineWidth = 1;
        return
        [
            new LegendItem { LabelText = "chance", LineColor = Colors.Gray, LinePattern = LinePattern.Dashed, LineWidth = 1 },
            new LegendItem { LabelText = "TPR 95%: each large marker is a method's FPR@95", LineColor = Colors.Black.WithAlpha(0.6), LinePattern = LinePattern.Dotted, LineWidth = 1 },
        ];
    }

    /// <summary>Axis labels and limits of every ROC plot, with a small margin so that edge-hugging curves stay visible.</summary>
    public static void SetAxes(Plot plot)
    {
        plot.XLabel("FPR: OOD rows accepted as ID");
        plot.YLabel("TPR: ID rows kept as ID");
        plot.Axes.SetLimits(-0.01, 1.01, -0.01, 1.01);
    }

    /// <summary>
    /// The papers' FPR@95TPR operating point on these axes: the threshold keeps at least 95% of ID rows (y) and
    /// accepts FPR@95 of the OOD rows (x).
    /// </summary>
    public static (double X, double Y) OperatingPoint(OodDetectionMetrics metrics)
    {
        var (idKept, oodKept) = ThresholdWalk.OperatingPointAtIdRate(metrics.Groups, 0.95);
        return (oodKept, idKept);
    }

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The ROC curve with ID positive, from the OOD-positive points of <see cref="OodDetectionMetrics.GetRocCurve"/>:
    /// a threshold that flags a fraction f of ID rows and t of OOD rows keeps 1 - f of ID and accepts 1 - t of OOD.
    /// </summary>
    private static (double[] Xs, double[] Ys) IdPositivePoints(OodDetectionMetrics metrics)
    {
        IReadOnlyList<RocPoint> curve = metrics.GetRocCurve();
        int stride = Math.Max(1, (curve.Count + MaxDrawnPoints - 1) / MaxDrawnPoints);
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = curve.Count - 1; i >= 0; i -= stride)
        {
            xs.Add(1 - curve[i].TruePositiveRate);
            ys.Add(1 - curve[i].FalsePositiveRate);
        }

        // Thinning may skip the last point; the curve always ends at (1, 1), where every row is kept as ID.
        xs.Add(1);
        ys.Add(1);
        return (xs.ToArray(), ys.ToArray());
    }

    /// <summary>
    /// Points evenly spaced along the curve's length in plot units, shifted by <paramref name="phase"/> of a spacing,
    /// so that two methods whose curves coincide put their markers at different places.
    /// </summary>
    private static (double[] Xs, double[] Ys) SpreadOut(double[] xs, double[] ys, double phase)
    {
        var length = new double[xs.Length];
        for (int i = 1; i < xs.Length; i++)
        {
            length[i] = length[i - 1] + Math.Sqrt(Math.Pow(xs[i] - xs[i - 1], 2) + Math.Pow(ys[i] - ys[i - 1], 2));
        }

        double total = length[^1];
        var mx = new double[MarkersPerCurve];
        var my = new double[MarkersPerCurve];
        int at = 0;
        for (int m = 0; m < MarkersPerCurve; m++)
        {
            double target = total * (m + phase) / MarkersPerCurve;
            while (at < xs.Length - 1 && length[at + 1] < target)
            {
                at++;
            }

            double segment = at < xs.Length - 1 ? length[at + 1] - length[at] : 0;
            double f = segment > 0 ? (target - length[at]) / segment : 0;
            mx[m] = xs[at] + f * (xs[Math.Min(at + 1, xs.Length - 1)] - xs[at]);
            my[m] = ys[at] + f * (ys[Math.Min(at + 1, ys.Length - 1)] - ys[at]);
        }

        return (mx, my);
    }
}
