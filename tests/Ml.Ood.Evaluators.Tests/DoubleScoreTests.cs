using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Evaluators.Tests;

/// <summary>
/// Issue 11: Double scores, in spans and in IDataView columns, compared as doubles. Two doubles 1e-12 apart are
/// the same float, so rounding them to Single would turn a perfect separation into a tie (AUROC 0.5).
/// </summary>
[TestClass]
public sealed class DoubleScoreTests
{
    private const double Tolerance = 1e-12;
    private static readonly double Low = 1.0;
    private static readonly double High = 1.0 + 1e-12;
    private readonly MLContext _ml = new(seed: 1);

    [TestMethod]
    public void ScoresThatAreEqualAsFloatsButNotAsDoublesRankApart()
    {
        Assert.AreEqual((float)Low, (float)High, "precondition: the two scores round to one float");
        bool[] isOod = [false, true];

        // ID row below the OOD row: every threshold metric is perfect.
        Assert.AreEqual(1.0, OodMetrics.AreaUnderRocCurve(isOod, [Low, High]), Tolerance);
        var m = OodMetrics.EvaluateDetection(isOod, [Low, High]);
        Assert.AreEqual(1.0, m.AreaUnderPrecisionRecallCurveIn, Tolerance);
        Assert.AreEqual(1.0, m.AreaUnderPrecisionRecallCurveOut, Tolerance);
        Assert.AreEqual(0.0, m.FalsePositiveRateAtTruePositiveRate95, Tolerance);
        Assert.AreEqual(0.0, m.DetectionError, Tolerance);
        Assert.HasCount(3, m.GetRocCurve(), "two distinct thresholds and the start");
        Assert.AreEqual(High, m.GetRocCurve()[1].Threshold);

        // The same values as floats tie: one half (what the Double path must not fall back to).
        Assert.AreEqual(0.5, OodMetrics.AreaUnderRocCurve(isOod, [(float)Low, (float)High]), Tolerance);
    }

    [TestMethod]
    public void OpenSetOpenWorldTopKAndMultiLabelKeepDoublePrecision()
    {
        Assert.AreEqual(1.0, OodMetrics.OpenAuc([Low], [true], [High]), Tolerance);
        Assert.AreEqual(1.0, OodMetrics.OpenworldAuc([Low], [true], [High], [true]), Tolerance);

        // Class 0 scores 1e-12 above class 1: rank 1, where a float tie would count against it (rank 2).
        Assert.AreEqual(1.0, OodMetrics.AreaUnderTopKCurve([High, Low], [0], 2, 1), Tolerance);
        Assert.AreEqual(0.0, OodMetrics.AreaUnderTopKCurve([(float)High, (float)Low], [0], 2, 1), Tolerance);

        // The positive label scores 1e-12 above the negative: TKPR and ranking loss are perfect.
        var ranking = OodMetrics.EvaluateMultiLabelRanking([High, Low, Low], [true, false, false], 3, 1);
        Assert.AreEqual(1.0, ranking.TopKPairwiseRanking, Tolerance);
        Assert.AreEqual(0.0, ranking.RankingLoss, Tolerance);
        Assert.AreEqual(1.0, OodMetrics.TopKPairwiseRanking([High, Low, Low], [true, false, false], 3, 1), Tolerance);
        Assert.AreEqual(0.0, OodMetrics.TopKPairwiseRanking([(float)High, (float)Low, (float)Low], [true, false, false], 3, 1), Tolerance);
    }

    [TestMethod]
    public void DoubleSpansMatchTheReferenceVectors()
    {
        var v = ReferenceVectors.Load("ood_metrics");
        var m = OodMetrics.EvaluateDetection(v.GetProperty("is_ood").Bools(), v.GetProperty("score").Doubles());
        Assert.AreEqual(v.GetProperty("auroc").GetDouble(), m.AreaUnderRocCurve, 1e-9);
        Assert.AreEqual(v.GetProperty("aupr_in").GetDouble(), m.AreaUnderPrecisionRecallCurveIn, 1e-9);
        Assert.AreEqual(v.GetProperty("aupr_out").GetDouble(), m.AreaUnderPrecisionRecallCurveOut, 1e-9);
        Assert.AreEqual(v.GetProperty("fpr95").GetDouble(), m.FalsePositiveRateAtTruePositiveRate95, 1e-9);

        var w = ReferenceVectors.Load("openworldauc");
        double openworld = OodMetrics.OpenworldAuc(
            w.GetProperty("base_score").Doubles(), w.GetProperty("base_correct").Bools(), w.GetProperty("new_score").Doubles(), w.GetProperty("new_correct").Bools());
        Assert.AreEqual(w.GetProperty("openworldauc").GetDouble(), openworld, 1e-9);
    }

    [TestMethod]
    public void DataViewEvaluatorsReadDoubleColumnsAsDoubles()
    {
        var data = new ArrayDataView(
            new("IsOodTruth", BooleanDataViewType.Instance, new[] { false, true }),
            new("Correct", BooleanDataViewType.Instance, new[] { true, true }),
            new("Score", NumberDataViewType.Double, new[] { Low, High }));

        Assert.AreEqual(1.0, _ml.Ood().Evaluate(data, "IsOodTruth", "Score").AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(1.0, _ml.Ood().EvaluateOpenSet(data, "IsOodTruth", "Correct", "Score").OpenAuc, Tolerance);
        Assert.AreEqual(1.0, _ml.Ood().EvaluateOpenWorld(data, "IsOodTruth", "Correct", "Score").OpenworldAuc, Tolerance);

        var classes = new ArrayDataView(
            new("Label", NumberDataViewType.Int32, new[] { 0 }),
            new("Score", new VectorDataViewType(NumberDataViewType.Double, 2), new[] { new VBuffer<double>(2, [High, Low]) }),
            new("Relevant", new VectorDataViewType(BooleanDataViewType.Instance, 2), new[] { new VBuffer<bool>(2, [true, false]) }));
        Assert.AreEqual(1.0, _ml.Ood().EvaluateTopK(classes, "Label", "Score", k: 1).AreaUnderTopKCurve, Tolerance);
        Assert.AreEqual(1.0, _ml.Ood().EvaluateMultiLabelRanking(classes, "Relevant", "Score", k: 1).TopKPairwiseRanking, Tolerance);
    }

    [TestMethod]
    public void NonFiniteDoubleScoreThrowsNamingTheColumnAndRow()
    {
        var data = new ArrayDataView(
            new("IsOodTruth", BooleanDataViewType.Instance, new[] { false, true, true }),
            new("Score", NumberDataViewType.Double, new[] { Low, High, double.PositiveInfinity }));

        var ex = Assert.ThrowsExactly<ArgumentException>(() => _ml.Ood().Evaluate(data, "IsOodTruth", "Score"));

        Assert.AreEqual("Score", ex.ParamName);
        Assert.Contains("'Score' holds a NaN or infinite score at row 2", ex.Message);
        var span = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.AreaUnderRocCurve([false, true], [Low, double.NaN]));
        Assert.Contains("'scores' holds a NaN or infinite score at row 1", span.Message);
    }
}
