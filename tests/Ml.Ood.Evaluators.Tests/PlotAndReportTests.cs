namespace Ml.Ood.Evaluators.Tests;

/// <summary>The PNG plots render (SkiaSharp native assets load) and the markdown report lays out every method.</summary>
[TestClass]
public sealed class PlotAndReportTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void RocCurveAndHistogramPngsAreWritten()
    {
        var m = ReferenceMetrics();
        string folder = OutputFolder();
        string roc = Path.Combine(folder, "roc.png");
        string histogram = Path.Combine(folder, "histogram.png");

        m.SaveRocCurvePng(roc);
        m.SaveScoreHistogramPng(histogram, binCount: 25);

        AssertPng(roc);
        AssertPng(histogram);
    }

    [TestMethod]
    public void ReportHasOneRowPerMethodAndBoldsTheBest()
    {
        var reference = ReferenceMetrics();
        var perfect = OodMetrics.EvaluateDetection([false, false, true], [0f, 1f, 2f]);
        var report = new OodReport().Add("Reference", reference).Add("Perfect", perfect);

        string markdown = report.ToMarkdown();
        string[] lines = markdown.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.StartsWith("| Method | AUROC ↑ | AUPR-In ↑ | AUPR-Out ↑ | FPR@95TPR ↓", lines[0]);
        Assert.StartsWith("|---|", lines[1]);
        Assert.StartsWith("| Reference | 77.13 | 85.15 | 61.80 | 83.33 |", lines[2]);
        Assert.StartsWith("| Perfect | **100.00** | **100.00** | **100.00** | **0.00** | **0.00** | **0.00** | 2 | 1 |", lines[3]);
        CollectionAssert.AreEqual(new[] { "Reference", "Perfect" }, report.Methods.ToArray());

        string png = Path.Combine(OutputFolder(), "roc-curves.png");
        report.SaveRocCurvesPng(png);
        AssertPng(png);
    }

    private static OodDetectionMetrics ReferenceMetrics()
    {
        var v = ReferenceVectors.Load("ood_metrics");
        return OodMetrics.EvaluateDetection(v.GetProperty("is_ood").Bools(), v.GetProperty("score").Floats());
    }

    private string OutputFolder()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), "mlood-plots");
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static void AssertPng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.IsGreaterThan(1000, bytes.Length, path);
        CollectionAssert.AreEqual(PngSignature, bytes[..8], path);
    }
}
