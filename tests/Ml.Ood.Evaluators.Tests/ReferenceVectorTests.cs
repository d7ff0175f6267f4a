namespace Ml.Ood.Evaluators.Tests;

/// <summary>Every metric equals the independent numpy / scikit-learn reference values to 1e-9, ties included.</summary>
[TestClass]
public sealed class ReferenceVectorTests
{
    private const double Tolerance = 1e-9;

    [TestMethod]
    public void DetectionMetricsMatchOodMetricsJson()
    {
        var v = ReferenceVectors.Load("ood_metrics");
        bool[] isOod = v.GetProperty("is_ood").Bools();
        float[] scores = v.GetProperty("score").Floats();

        var m = OodMetrics.EvaluateDetection(isOod, scores);

        Assert.AreEqual(v.GetProperty("auroc").GetDouble(), m.AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(v.GetProperty("aupr_in").GetDouble(), m.AreaUnderPrecisionRecallCurveIn, Tolerance);
        Assert.AreEqual(v.GetProperty("aupr_out").GetDouble(), m.AreaUnderPrecisionRecallCurveOut, Tolerance);
        Assert.AreEqual(v.GetProperty("fpr95").GetDouble(), m.FalsePositiveRateAtTruePositiveRate95, Tolerance);
    }

    [TestMethod]
    public void SingleMetricFunctionsMatchOodMetricsJson()
    {
        var v = ReferenceVectors.Load("ood_metrics");
        bool[] isOod = v.GetProperty("is_ood").Bools();
        float[] scores = v.GetProperty("score").Floats();

        Assert.AreEqual(v.GetProperty("auroc").GetDouble(), OodMetrics.AreaUnderRocCurve(isOod, scores), Tolerance);
        Assert.AreEqual(v.GetProperty("aupr_in").GetDouble(), OodMetrics.AreaUnderPrecisionRecallCurveIn(isOod, scores), Tolerance);
        Assert.AreEqual(v.GetProperty("aupr_out").GetDouble(), OodMetrics.AreaUnderPrecisionRecallCurveOut(isOod, scores), Tolerance);
        Assert.AreEqual(v.GetProperty("fpr95").GetDouble(), OodMetrics.FalsePositiveRateAtTruePositiveRate95(isOod, scores), Tolerance);
    }

    [TestMethod]
    public void OpenAucMatchesOpenAucJson()
    {
        var v = ReferenceVectors.Load("openauc");

        // OpenAUC's 1[yhat_k = y_k], written out here from the vectors' labels and predictions.
        bool[] correct = v.GetProperty("known_label").Ints().Zip(v.GetProperty("known_predicted").Ints(), (y, p) => y == p).ToArray();

        double openAuc = OodMetrics.OpenAuc(v.GetProperty("known_score").Floats(), correct, v.GetProperty("unknown_score").Floats());

        Assert.AreEqual(v.GetProperty("openauc").GetDouble(), openAuc, Tolerance);
    }

    [TestMethod]
    public void OpenworldAucMatchesOpenworldAucJson()
    {
        var v = ReferenceVectors.Load("openworldauc");

        double value = OodMetrics.OpenworldAuc(
            v.GetProperty("base_score").Floats(),
            v.GetProperty("base_correct").Bools(),
            v.GetProperty("new_score").Floats(),
            v.GetProperty("new_correct").Bools());

        Assert.AreEqual(v.GetProperty("openworldauc").GetDouble(), value, Tolerance);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(2)]
    public void AutkcAndTopKAccuracyMatchAutkcJson(int caseIndex)
    {
        var v = ReferenceVectors.Load("autkc");
        float[] scores = v.GetProperty("scores").FlatFloats(out int classes);
        int[] labels = v.GetProperty("labels").Ints();
        var c = v.GetProperty("cases")[caseIndex];
        int k = c.GetProperty("K").GetInt32();

        var m = OodMetrics.EvaluateTopK(scores, labels, classes, k);

        Assert.AreEqual(c.GetProperty("autkc").GetDouble(), m.AreaUnderTopKCurve, Tolerance);
        double[] expected = c.GetProperty("topk_accuracy").Doubles();
        Assert.HasCount(k, m.TopKAccuracy);
        for (int i = 0; i < k; i++)
        {
            Assert.AreEqual(expected[i], m.TopKAccuracy[i], Tolerance, $"top-{i + 1} accuracy");
        }
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(2)]
    public void TkprMatchesTkprJson(int caseIndex)
    {
        var v = ReferenceVectors.Load("tkpr");
        float[] scores = v.GetProperty("scores").FlatFloats(out int labels);
        bool[] positive = v.GetProperty("labels").EnumerateArray().SelectMany(r => r.Ints()).Select(x => x != 0).ToArray();
        var c = v.GetProperty("cases")[caseIndex];
        int k = c.GetProperty("K").GetInt32();
        double expected = c.GetProperty("tkpr").GetDouble();

        var m = OodMetrics.EvaluateMultiLabelRanking(scores, positive, labels, k);

        Assert.AreEqual(expected, m.TopKPairwiseRanking, Tolerance, "full-sort path");
        Assert.AreEqual(expected, OodMetrics.TopKPairwiseRanking(scores, positive, labels, k), Tolerance, "quickselect path");
        Assert.AreEqual(v.GetProperty("skipped_rows").GetInt32(), m.SkippedRowCount);
        Assert.AreEqual(scores.Length / labels - m.SkippedRowCount, m.RowCount);
    }
}
