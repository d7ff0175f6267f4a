namespace Ml.Ood.Evaluators.Tests;

/// <summary>Small cases whose expected values are worked out by hand in the comments.</summary>
[TestClass]
public sealed class HandComputedTests
{
    private const double Tolerance = 1e-12;

    [TestMethod]
    public void PerfectSeparationScoresPerfectly()
    {
        var m = OodMetrics.EvaluateDetection([false, false, false, true, true], [0f, 1f, 2f, 3f, 4f]);

        Assert.AreEqual(1.0, m.AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(1.0, m.AreaUnderPrecisionRecallCurveIn, Tolerance);
        Assert.AreEqual(1.0, m.AreaUnderPrecisionRecallCurveOut, Tolerance);
        Assert.AreEqual(0.0, m.FalsePositiveRateAtTruePositiveRate95, Tolerance);
        Assert.AreEqual(0.0, m.FalsePositiveRateAtOodTruePositiveRate95, Tolerance);
        Assert.AreEqual(0.0, m.DetectionError, Tolerance);
    }

    [TestMethod]
    public void ReversedScoresScoreZeroAuroc()
    {
        // ID {3, 4}, OOD {0, 1, 2}. Descending: 4 ID, 3 ID, 2 OOD, 1 OOD, 0 OOD, so AUPR-Out's precisions at
        // the OOD hits are 1/3, 2/4, 3/5 -> (1/3 + 1/2 + 3/5) / 3 = 43/90. Keeping 95% of ID needs t = 4,
        // which keeps every OOD row: FPR@95 = 1. No threshold beats the trivial 0.5 detection error.
        var m = OodMetrics.EvaluateDetection([true, true, true, false, false], [0f, 1f, 2f, 3f, 4f]);

        Assert.AreEqual(0.0, m.AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(43.0 / 90.0, m.AreaUnderPrecisionRecallCurveOut, Tolerance);
        Assert.AreEqual(1.0, m.FalsePositiveRateAtTruePositiveRate95, Tolerance);
        Assert.AreEqual(0.5, m.DetectionError, Tolerance);
    }

    [TestMethod]
    public void AllTiesIsChance()
    {
        // One threshold group: every pair ties (AUROC 1/2); the single precision is the class fraction.
        var m = OodMetrics.EvaluateDetection([false, false, true, true, true], [1f, 1f, 1f, 1f, 1f]);

        Assert.AreEqual(0.5, m.AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(2.0 / 5.0, m.AreaUnderPrecisionRecallCurveIn, Tolerance);
        Assert.AreEqual(3.0 / 5.0, m.AreaUnderPrecisionRecallCurveOut, Tolerance);
        Assert.AreEqual(1.0, m.FalsePositiveRateAtTruePositiveRate95, Tolerance);
        Assert.AreEqual(1.0, m.FalsePositiveRateAtOodTruePositiveRate95, Tolerance);
        Assert.AreEqual(0.5, m.DetectionError, Tolerance);
        Assert.HasCount(2, m.GetRocCurve());
    }

    [TestMethod]
    public void MixedCaseWithTies()
    {
        // ID {0.1, 0.4, 0.4, 0.8}, OOD {0.4, 0.9}.
        // AUROC: OOD 0.4 beats 0.1 and ties two 0.4s (1 + 2 * 1/2 = 2); OOD 0.9 beats all 4 -> 6 / 8.
        // AUPR-Out, descending groups: 0.9 (tp 1, fp 0: P = 1), 0.8 (ID), 0.4 (tp 2, fp 3: P = 2/5) -> (1 + 2/5) / 2 = 0.7.
        // AUPR-In, ascending groups: 0.1 (1 ID: P = 1), 0.4 (2 ID, 1 OOD: P = 3/4), 0.8 (P = 4/5) -> (1 + 2 * 3/4 + 4/5) / 4 = 0.825.
        // FPR@95: 95% of ID needs t = 0.8; OOD <= 0.8 is {0.4} -> 1/2.
        // OOD-positive FPR@95: 95% of OOD needs t = 0.4; ID >= 0.4 is {0.4, 0.4, 0.8} -> 3/4.
        // Detection error: after 0.1 -> 0.375, after 0.4 -> 0.125 + 0.25, after 0.8 -> 0 + 0.25 = 0.25 (min).
        bool[] isOod = [false, true, false, false, false, true];
        float[] scores = [0.1f, 0.4f, 0.4f, 0.8f, 0.4f, 0.9f];

        var m = OodMetrics.EvaluateDetection(isOod, scores);

        Assert.AreEqual(0.75, m.AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(0.7, m.AreaUnderPrecisionRecallCurveOut, Tolerance);
        Assert.AreEqual(0.825, m.AreaUnderPrecisionRecallCurveIn, Tolerance);
        Assert.AreEqual(0.5, m.FalsePositiveRateAtTruePositiveRate95, Tolerance);
        Assert.AreEqual(0.75, m.FalsePositiveRateAtOodTruePositiveRate95, Tolerance);
        Assert.AreEqual(0.25, m.DetectionError, Tolerance);
        Assert.AreEqual(0.75, OodMetrics.FalsePositiveRateAtOodTruePositiveRate95(isOod, scores), Tolerance);
        Assert.AreEqual(0.25, OodMetrics.DetectionError(isOod, scores), Tolerance);
    }

    [TestMethod]
    public void RocAndPrecisionRecallCurvesOfMixedCase()
    {
        var m = OodMetrics.EvaluateDetection([false, true, false, false, false, true], [0.1f, 0.4f, 0.4f, 0.8f, 0.4f, 0.9f]);

        RocPoint[] expectedRoc =
        [
            new(double.PositiveInfinity, 0, 0),
            new(0.9f, 0, 0.5),
            new(0.8f, 0.25, 0.5),
            new(0.4f, 0.75, 1),
            new(0.1f, 1, 1),
        ];
        CollectionAssert.AreEqual(expectedRoc, m.GetRocCurve().ToArray());

        PrecisionRecallPoint[] expectedOut =
        [
            new(double.PositiveInfinity, 0, 1),
            new(0.9f, 0.5, 1),
            new(0.8f, 0.5, 0.5),
            new(0.4f, 1, 2.0 / 5.0),
            new(0.1f, 1, 2.0 / 6.0),
        ];
        CollectionAssert.AreEqual(expectedOut, m.GetPrecisionRecallCurveOut().ToArray());

        PrecisionRecallPoint[] expectedIn =
        [
            new(double.NegativeInfinity, 0, 1),
            new(0.1f, 0.25, 1),
            new(0.4f, 0.75, 0.75),
            new(0.8f, 1, 0.8),
            new(0.9f, 1, 4.0 / 6.0),
        ];
        CollectionAssert.AreEqual(expectedIn, m.GetPrecisionRecallCurveIn().ToArray());
    }

    [TestMethod]
    public void OpenSetSmallCase()
    {
        // Known: (y 0, yhat 0, r 0.1), (1, 1, 0.5), (2, 0, 0.2) -- the third is misclassified. Unknown r: 0.5, 0.3.
        // OpenAUC pairs (6): k1 beats both (2), k2 ties 0.5 (1/2) and loses to 0.3, k3 never counts -> 2.5 / 6.
        // AUROC ignores classification: k3 (0.2) is below both -> (2 + 0.5 + 2) / 6.
        var m = OodMetrics.EvaluateOpenSet([0.1f, 0.5f, 0.2f], [true, true, false], [0.5f, 0.3f]);

        Assert.AreEqual(2.5 / 6, m.OpenAuc, Tolerance);
        Assert.AreEqual(2.0 / 3, m.ClosedSetAccuracy, Tolerance);
        Assert.AreEqual(4.5 / 6, m.AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(3, m.KnownCount);
        Assert.AreEqual(2, m.UnknownCount);
    }

    [TestMethod]
    public void OpenSetWithEveryKnownRowMisclassifiedIsZero()
    {
        Assert.AreEqual(0.0, OodMetrics.OpenAuc([0f, 0f], [false, false], [1f, 2f]), Tolerance);
    }

    [TestMethod]
    public void OpenWorldSmallCase()
    {
        // Base (r, correct): (0.1, yes), (0.6, no). New: (0.5, yes), (0.1, yes), (0.9, no).
        // Only b1 with n1 (beats: 1) and n2 (tie: 1/2) count -> 1.5 / 6.
        // AUROC: b1 vs (0.5, 0.1, 0.9) = 1 + 1/2 + 1; b2 (0.6) vs them = 0 + 0 + 1 -> 3.5 / 6.
        var m = OodMetrics.EvaluateOpenWorld([0.1f, 0.6f], [true, false], [0.5f, 0.1f, 0.9f], [true, true, false]);

        Assert.AreEqual(1.5 / 6, m.OpenworldAuc, Tolerance);
        Assert.AreEqual(0.5, m.BaseAccuracy, Tolerance);
        Assert.AreEqual(2.0 / 3, m.NewAccuracy, Tolerance);
        Assert.AreEqual(3.5 / 6, m.AreaUnderRocCurve, Tolerance);
    }

    [TestMethod]
    [DataRow(1, 0.25)]
    [DataRow(2, 0.375)]
    [DataRow(3, 1.75 / 3)]
    public void TopKSmallCaseCountsTiesAgainstTheTrueLabel(int k, double expectedAutkc)
    {
        // Ranks: row 0 -> 1; row 1 ties class 2 -> 2; row 2 -> 3; row 3 all tied -> 3.
        // Top-1, 2, 3 accuracy: 1/4, 2/4, 4/4; AUTKC@K is their running mean.
        float[] scores =
        [
            0.5f, 0.2f, 0.3f,
            0.1f, 0.7f, 0.7f,
            0.3f, 0.2f, 0.1f,
            0.4f, 0.4f, 0.4f,
        ];
        int[] labels = [0, 1, 2, 0];
        double[] topK = [0.25, 0.5, 1.0];

        var m = OodMetrics.EvaluateTopK(scores, labels, 3, k);

        Assert.AreEqual(expectedAutkc, m.AreaUnderTopKCurve, Tolerance);
        CollectionAssert.AreEqual(topK[..k], m.TopKAccuracy.ToArray());
    }

    [TestMethod]
    public void MultiLabelSmallCase()
    {
        // Row 0: order 0.9 P, 0.8 N, 0.7 P, 0.6 N, 0.5 N; top-2 negatives 0.8, 0.6.
        //   TKPR@2 = (2 + 1) / (2 * 2) = 3/4; P@2 = 1/2; R@2 = 1/2; AP@2 = (1/1) / 2 = 1/2;
        //   NDCG@2 = 1 / (1 + 1/log2 3); ranking loss = 1 pair (0.8 over 0.7) / 6.
        // Row 1: the positive ties a negative at 0.2 -> the negative ranks first: order 0.3 N, 0.2 N, 0.2 P, ...
        //   TKPR@2 = 0; P@2 = R@2 = AP@2 = NDCG@2 = 0; ranking loss = 2 / 4.
        // Row 2 has no positive label: skipped.
        float[] scores =
        [
            0.9f, 0.8f, 0.7f, 0.6f, 0.5f,
            0.2f, 0.2f, 0.1f, 0.3f, 0.0f,
            0.1f, 0.2f, 0.3f, 0.4f, 0.5f,
        ];
        bool[] positive =
        [
            true, false, true, false, false,
            true, false, false, false, false,
            false, false, false, false, false,
        ];

        var m = OodMetrics.EvaluateMultiLabelRanking(scores, positive, 5, 2);

        Assert.AreEqual(0.375, m.TopKPairwiseRanking, Tolerance);
        Assert.AreEqual(0.25, m.PrecisionAtK, Tolerance);
        Assert.AreEqual(0.25, m.RecallAtK, Tolerance);
        Assert.AreEqual(0.25, m.MeanAveragePrecisionAtK, Tolerance);
        Assert.AreEqual(0.5 / (1 + 1 / Math.Log2(3)), m.NormalizedDiscountedCumulativeGainAtK, Tolerance);
        Assert.AreEqual((1.0 / 6 + 0.5) / 2, m.RankingLoss, Tolerance);
        Assert.AreEqual(2, m.RowCount);
        Assert.AreEqual(1, m.SkippedRowCount);
        Assert.AreEqual(0.375, OodMetrics.TopKPairwiseRanking(scores, positive, 5, 2), Tolerance);
    }

    [TestMethod]
    public void TkprWithOnePositiveEqualsAutkc()
    {
        // docs/FORMULAS.md: with |P| = 1, TKPR@K is AUTKC@K of the positive label.
        float[] scores = [0.5f, 0.9f, 0.1f, 0.7f, 0.3f, 0.3f, 0.2f, 0.8f, 0.6f, 0.6f, 0.0f, 0.4f];
        int[] labels = [0, 3, 1];
        bool[] positive = new bool[scores.Length];
        for (int row = 0; row < labels.Length; row++)
        {
            positive[row * 4 + labels[row]] = true;
        }

        for (int k = 1; k <= 3; k++)
        {
            Assert.AreEqual(
                OodMetrics.AreaUnderTopKCurve(scores, labels, 4, k),
                OodMetrics.TopKPairwiseRanking(scores, positive, 4, k),
                Tolerance,
                $"K = {k}");
        }
    }
}
