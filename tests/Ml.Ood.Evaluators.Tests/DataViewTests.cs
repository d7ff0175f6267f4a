using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Evaluators.Tests;

/// <summary>The <c>ml.Ood()</c> entries: same values as the reference vectors, one cursor, ML.NET schema errors.</summary>
[TestClass]
public sealed class DataViewTests
{
    private const double Tolerance = 1e-9;
    private readonly MLContext _ml = new(seed: 1);

    [TestMethod]
    public void EvaluateMatchesOodMetricsJsonWithOneCursor()
    {
        var v = ReferenceVectors.Load("ood_metrics");
        bool[] isOod = v.GetProperty("is_ood").Bools();
        float[] scores = v.GetProperty("score").Floats();
        var data = new CursorCountingDataView(_ml.Data.LoadFromEnumerable(isOod.Select((o, i) => new DetectionRow { IsOod = o, Score = scores[i] })));

        var m = _ml.Ood().Evaluate(data, isOodColumnName: "IsOod", scoreColumnName: "Score");

        Assert.AreEqual(1, data.CursorCount);
        Assert.AreEqual(v.GetProperty("auroc").GetDouble(), m.AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(v.GetProperty("aupr_in").GetDouble(), m.AreaUnderPrecisionRecallCurveIn, Tolerance);
        Assert.AreEqual(v.GetProperty("aupr_out").GetDouble(), m.AreaUnderPrecisionRecallCurveOut, Tolerance);
        Assert.AreEqual(v.GetProperty("fpr95").GetDouble(), m.FalsePositiveRateAtTruePositiveRate95, Tolerance);
        StringAssert.Contains(m.ToString(), "AUROC");
        StringAssert.Contains(m.ToString(), "lower is better");
    }

    [TestMethod]
    public void EvaluateOpenSetWithKeyLabelsMatchesOpenAucJson()
    {
        var v = ReferenceVectors.Load("openauc");
        int[] labels = v.GetProperty("known_label").Ints();
        int[] predicted = v.GetProperty("known_predicted").Ints();
        float[] known = v.GetProperty("known_score").Floats();
        float[] unknown = v.GetProperty("unknown_score").Floats();

        // Unknown rows carry the missing key, which must not be read.
        var rows = known.Select((s, i) => new OpenSetRow { IsOod = false, Label = (uint)labels[i], PredictedLabel = (uint)predicted[i], Score = s })
            .Concat(unknown.Select(s => new OpenSetRow { IsOod = true, Label = OpenSetRow.Missing, PredictedLabel = 2, Score = s }));
        var data = new CursorCountingDataView(_ml.Data.LoadFromEnumerable(rows));

        var m = _ml.Ood().EvaluateOpenSet(data, "IsOod", "Label", "PredictedLabel", "Score");

        Assert.AreEqual(1, data.CursorCount);
        Assert.AreEqual(v.GetProperty("openauc").GetDouble(), m.OpenAuc, Tolerance);
        Assert.AreEqual(known.Length, m.KnownCount);
        StringAssert.Contains(m.ToString(), "OpenAUC");
    }

    [TestMethod]
    public void EvaluateOpenWorldMatchesOpenworldAucJson()
    {
        var v = ReferenceVectors.Load("openworldauc");
        float[] baseScores = v.GetProperty("base_score").Floats();
        bool[] baseCorrect = v.GetProperty("base_correct").Bools();
        float[] newScores = v.GetProperty("new_score").Floats();
        bool[] newCorrect = v.GetProperty("new_correct").Bools();
        var rows = baseScores.Select((s, i) => new OpenWorldRow { IsNew = false, Label = 3, PredictedLabel = baseCorrect[i] ? 3 : 1, Score = s })
            .Concat(newScores.Select((s, i) => new OpenWorldRow { IsNew = true, Label = 7, PredictedLabel = newCorrect[i] ? 7 : 8, Score = s }));

        var m = _ml.Ood().EvaluateOpenWorld(_ml.Data.LoadFromEnumerable(rows), "IsNew", "Label", "PredictedLabel", "Score");

        Assert.AreEqual(v.GetProperty("openworldauc").GetDouble(), m.OpenworldAuc, Tolerance);
        StringAssert.Contains(m.ToString(), "OpenworldAUC");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(5)]
    public void EvaluateTopKMatchesAutkcJson(int k)
    {
        var v = ReferenceVectors.Load("autkc");
        float[] scores = v.GetProperty("scores").FlatFloats(out int classes);
        int[] labels = v.GetProperty("labels").Ints();
        Assert.AreEqual(TopKRow.Classes, classes);
        var c = v.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("K").GetInt32() == k);
        var rows = labels.Select((y, i) => new TopKRow { Label = y, Score = scores.AsSpan(i * classes, classes).ToArray() });
        var data = new CursorCountingDataView(_ml.Data.LoadFromEnumerable(rows));

        var m = _ml.Ood().EvaluateTopK(data, k: k);

        Assert.AreEqual(1, data.CursorCount);
        Assert.AreEqual(c.GetProperty("autkc").GetDouble(), m.AreaUnderTopKCurve, Tolerance);
        CollectionAssert.AreEqual(c.GetProperty("topk_accuracy").Doubles(), m.TopKAccuracy.Select(a => Math.Round(a, 12)).ToArray());
        StringAssert.Contains(m.ToString(), "AUTKC@" + k);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(5)]
    public void EvaluateMultiLabelRankingMatchesTkprJson(int k)
    {
        var v = ReferenceVectors.Load("tkpr");
        float[] scores = v.GetProperty("scores").FlatFloats(out int labels);
        Assert.AreEqual(MultiLabelRow.Labels, labels);
        bool[][] positive = v.GetProperty("labels").EnumerateArray().Select(r => r.Ints().Select(x => x != 0).ToArray()).ToArray();
        var c = v.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("K").GetInt32() == k);
        var rows = positive.Select((y, i) => new MultiLabelRow { Label = y, Score = scores.AsSpan(i * labels, labels).ToArray() });
        var floatRows = positive.Select((y, i) => new MultiLabelFloatRow { Label = y.Select(b => b ? 1f : 0f).ToArray(), Score = scores.AsSpan(i * labels, labels).ToArray() });

        var m = _ml.Ood().EvaluateMultiLabelRanking(_ml.Data.LoadFromEnumerable(rows), k: k);
        var fromFloats = _ml.Ood().EvaluateMultiLabelRanking(_ml.Data.LoadFromEnumerable(floatRows), k: k);

        Assert.AreEqual(c.GetProperty("tkpr").GetDouble(), m.TopKPairwiseRanking, Tolerance);
        Assert.AreEqual(c.GetProperty("tkpr").GetDouble(), fromFloats.TopKPairwiseRanking, Tolerance);
        Assert.AreEqual(v.GetProperty("skipped_rows").GetInt32(), m.SkippedRowCount);
        StringAssert.Contains(m.ToString(), "TKPR@" + k);
    }

    internal sealed class DetectionRow
    {
        public bool IsOod { get; set; }

        public float Score { get; set; }
    }

    /// <summary>LoadFromEnumerable maps a key property's 0-based value v to the raw key v + 1, and v &gt;= count to 0 (missing).</summary>
    internal sealed class OpenSetRow
    {
        public const int Classes = 5;

        public const uint Missing = Classes;

        public bool IsOod { get; set; }

        [KeyType(Classes)]
        public uint Label { get; set; }

        [KeyType(Classes)]
        public uint PredictedLabel { get; set; }

        public float Score { get; set; }
    }

    internal sealed class OpenWorldRow
    {
        public bool IsNew { get; set; }

        public int Label { get; set; }

        public int PredictedLabel { get; set; }

        public float Score { get; set; }
    }

    internal sealed class TopKRow
    {
        public const int Classes = 8;

        public int Label { get; set; }

        [VectorType(Classes)]
        public float[] Score { get; set; } = [];
    }

    internal sealed class MultiLabelRow
    {
        public const int Labels = 12;

        [VectorType(Labels)]
        public bool[] Label { get; set; } = [];

        [VectorType(Labels)]
        public float[] Score { get; set; } = [];
    }

    internal sealed class MultiLabelFloatRow
    {
        [VectorType(MultiLabelRow.Labels)]
        public float[] Label { get; set; } = [];

        [VectorType(MultiLabelRow.Labels)]
        public float[] Score { get; set; } = [];
    }
}
