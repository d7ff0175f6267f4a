using Microsoft.ML;
using Ml.Ood;

// Issue 11: a user with only `using Ml.Ood;` reaches every entry point. This file is deliberately outside the
// Ml.Ood namespaces (which would see Ml.Ood implicitly) and names no other MlOod namespace; the
// result types are used through `var`. If an entry point moves out of Ml.Ood, this file stops compiling.
namespace MlOodUsers;

/// <summary>Calls every evaluation entry point with nothing but <c>using Ml.Ood;</c> (and Microsoft.ML).</summary>
[TestClass]
public sealed class UsingMlOodOnlyTests
{
    // Four rows, worked by hand. Scores: ID 0.1, 0.2; OOD 0.3, 0.4 (perfect detection). Row 1 is the only
    // misclassified row. Class scores: rows 0, 1 are (3, 2, 1), rows 2, 3 are (1, 2, 3); true classes 0, 1, 2, 0
    // rank 1, 2, 1, 3. Each row has one relevant label, its true class.
    private static readonly bool[] IsOod = [false, false, true, true];
    private static readonly bool[] IsCorrect = [true, false, true, true];
    private static readonly int[] Labels = [0, 1, 2, 0];
    private static readonly int[] Predicted = [0, 2, 2, 0];
    private static readonly float[] Scores = [0.1f, 0.2f, 0.3f, 0.4f];
    private static readonly float[] ClassScores = [3, 2, 1, 3, 2, 1, 1, 2, 3, 1, 2, 3];
    private static readonly bool[] Relevant = [true, false, false, false, true, false, false, false, true, true, false, false];

    [TestMethod]
    public void SpanFunctionsAndReportNeedOnlyUsingMlOod()
    {
        Assert.AreEqual(1.0, OodMetrics.AreaUnderRocCurve(IsOod, Scores));
        Assert.AreEqual(1.0, OodMetrics.AreaUnderPrecisionRecallCurveIn(IsOod, Scores));
        Assert.AreEqual(1.0, OodMetrics.AreaUnderPrecisionRecallCurveOut(IsOod, Scores));
        Assert.AreEqual(0.0, OodMetrics.FalsePositiveRateAtTruePositiveRate95(IsOod, Scores));
        Assert.AreEqual(0.0, OodMetrics.FalsePositiveRateAtOodTruePositiveRate95(IsOod, Scores));
        Assert.AreEqual(0.0, OodMetrics.DetectionError(IsOod, Scores));
        var detection = OodMetrics.EvaluateDetection(IsOod, Scores);
        Assert.AreEqual(1.0, detection.AreaUnderRocCurve);

        // OpenAUC: of the 4 (known, unknown) pairs only those of the correct row 0 count, and it loses neither: 2 / 4.
        Assert.AreEqual(0.5, OodMetrics.OpenAuc(Scores[..2], IsCorrect[..2], Scores[2..]));
        Assert.AreEqual(0.5, OodMetrics.EvaluateOpenSet(Scores[..2], IsCorrect[..2], Scores[2..]).ClosedSetAccuracy);
        Assert.AreEqual(0.5, OodMetrics.OpenworldAuc(Scores[..2], IsCorrect[..2], Scores[2..], IsCorrect[2..]));
        Assert.AreEqual(1.0, OodMetrics.EvaluateOpenWorld(Scores[..2], IsCorrect[..2], Scores[2..], IsCorrect[2..]).NewAccuracy);

        // Ranks 1, 2, 1, 3: top-1 accuracy 1/2, top-2 3/4, AUTKC@2 = (1/2 + 3/4) / 2.
        Assert.AreEqual(0.5, OodMetrics.AreaUnderTopKCurve(ClassScores, Labels, 3, 1));
        Assert.AreEqual(0.625, OodMetrics.EvaluateTopK(ClassScores, Labels, 3, 2).AreaUnderTopKCurve);

        // One relevant label per row: TKPR@1 = AUTKC@1.
        Assert.AreEqual(0.5, OodMetrics.TopKPairwiseRanking(ClassScores, Relevant, 3, 1));
        Assert.AreEqual(0.5, OodMetrics.EvaluateMultiLabelRanking(ClassScores, Relevant, 3, 1).TopKPairwiseRanking);

        string table = new OodReport().Add("Hand-made", detection).ToMarkdown();
        Assert.Contains("| Hand-made |", table);

        // The plots (package Ml.Ood.Evaluators.Plots) are extension methods in Ml.Ood too.
        string png = Path.Combine(Path.GetTempPath(), $"one-using-{Guid.NewGuid():N}.png");
        detection.SaveRocCurvePng(png);
        Assert.IsTrue(new FileInfo(png).Length > 0);
        File.Delete(png);
    }

    [TestMethod]
    public void CatalogEvaluatorsNeedOnlyUsingMlOod()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 4).Select(i => new Row
        {
            IsOodTruth = IsOod[i],
            IsCorrect = IsCorrect[i],
            Label = Labels[i],
            Predicted = Predicted[i],
            Score = Scores[i],
            S0 = ClassScores[3 * i],
            S1 = ClassScores[(3 * i) + 1],
            S2 = ClassScores[(3 * i) + 2],
            R0 = Relevant[3 * i],
            R1 = Relevant[(3 * i) + 1],
            R2 = Relevant[(3 * i) + 2],
        });
        var data = ml.Transforms.Concatenate("ClassScores", "S0", "S1", "S2")
            .Append(ml.Transforms.Concatenate("Relevant", "R0", "R1", "R2"))
            .Fit(ml.Data.LoadFromEnumerable(rows))
            .Transform(ml.Data.LoadFromEnumerable(rows));

        Assert.AreEqual(1.0, ml.Ood().Evaluate(data, isOodColumnName: "IsOodTruth", scoreColumnName: "Score").AreaUnderRocCurve);
        Assert.AreEqual(0.5, ml.Ood().EvaluateOpenSet(data, "IsOodTruth", "IsCorrect", "Score").OpenAuc);
        Assert.AreEqual(0.5, ml.Ood().EvaluateOpenSet(data, "IsOodTruth", "Label", "Predicted", "Score").OpenAuc);
        Assert.AreEqual(0.5, ml.Ood().EvaluateOpenWorld(data, "IsOodTruth", "IsCorrect", "Score").OpenworldAuc);
        Assert.AreEqual(0.5, ml.Ood().EvaluateOpenWorld(data, "IsOodTruth", "Label", "Predicted", "Score").OpenworldAuc);
        Assert.AreEqual(0.625, ml.Ood().EvaluateTopK(data, "Label", "ClassScores", k: 2).AreaUnderTopKCurve);
        Assert.AreEqual(0.5, ml.Ood().EvaluateMultiLabelRanking(data, "Relevant", "ClassScores", k: 1).TopKPairwiseRanking);
    }

    private sealed class Row
    {
        public bool IsOodTruth { get; set; }

        public bool IsCorrect { get; set; }

        public int Label { get; set; }

        public int Predicted { get; set; }

        public float Score { get; set; }

        public float S0 { get; set; }

        public float S1 { get; set; }

        public float S2 { get; set; }

        public bool R0 { get; set; }

        public bool R1 { get; set; }

        public bool R2 { get; set; }
    }
}
