namespace Ml.Ood.Evaluators.Tests;

/// <summary>
/// Where the ROC plots put things: on the papers' axes (x = OOD rows accepted as ID, y = ID rows kept), the FPR@95TPR
/// point is (FPR@95TPR, at least 0.95), so its label reads off the x axis. A plot once labelled "FPR@95 = 0.563" a
/// point at x = 0.05, on the other convention's axes.
/// </summary>
[TestClass]
public sealed class PlotGeometryTests
{
    [TestMethod]
    public void Fpr95PointSitsAtItsValueOnTheXAxis()
    {
        var v = ReferenceVectors.Load("ood_metrics");
        var metrics = OodMetrics.EvaluateDetection(v.GetProperty("is_ood").Bools(), v.GetProperty("score").Floats());

        var (x, y) = RocDrawing.OperatingPoint(metrics);

        Assert.AreEqual(v.GetProperty("fpr95").GetDouble(), x, 1e-12, "x is the reference FPR@95TPR");
        Assert.IsGreaterThanOrEqualTo(0.95, y, "the threshold keeps at least 95% of ID rows");
        Assert.IsLessThan(0.95 + 1.0 / metrics.InDistributionCount + 1e-12, y, "and is the first threshold that does");
    }

    [TestMethod]
    [DataRow(new[] { false, false, true, true }, new[] { 0f, 1f, 2f, 3f }, 0.0)]
    [DataRow(new[] { false, false, true, true }, new[] { 3f, 2f, 1f, 0f }, 1.0)]
    [DataRow(new[] { false, true, false, true }, new[] { 1f, 1f, 1f, 1f }, 1.0)]
    public void Fpr95PointOnHandMadeCases(bool[] isOod, float[] scores, double expectedX)
    {
        var metrics = OodMetrics.EvaluateDetection(isOod, scores);

        var (x, y) = RocDrawing.OperatingPoint(metrics);

        Assert.AreEqual(expectedX, x, 1e-12);
        Assert.AreEqual(metrics.FalsePositiveRateAtTruePositiveRate95, x, 1e-12);
        Assert.AreEqual(1.0, y, 1e-12, "two ID rows: keeping 95% of them means keeping both");
    }
}
