namespace Ml.Ood.Evaluators.Tests;

/// <summary>
/// The sorting-and-counting implementations against the O(n^2) (or full-sort) definitions written out
/// here, on random data with many ties (scores on a 0.1 grid).
/// </summary>
[TestClass]
public sealed class BruteForceTests
{
    private const double Tolerance = 1e-12;

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    [DataRow(5)]
    public void OpenAucBySortingEqualsPairwiseDefinition(int seed)
    {
        var rng = new Random(seed);
        int nk = rng.Next(1, 80), nu = rng.Next(1, 80);
        int[] labels = Enumerable.Range(0, nk).Select(_ => rng.Next(4)).ToArray();
        int[] predicted = labels.Select(y => rng.NextDouble() < 0.7 ? y : rng.Next(4)).ToArray();
        float[] known = Grid(rng, nk);
        float[] unknown = Grid(rng, nu);

        double pairs = 0, rocPairs = 0;
        for (int k = 0; k < nk; k++)
        {
            for (int u = 0; u < nu; u++)
            {
                double win = unknown[u] > known[k] ? 1 : unknown[u] == known[k] ? 0.5 : 0;
                rocPairs += win;
                pairs += labels[k] == predicted[k] ? win : 0;
            }
        }

        var m = OodMetrics.EvaluateOpenSet(known, labels.Zip(predicted, (y, p) => y == p).ToArray(), unknown);

        Assert.AreEqual(pairs / (nk * nu), m.OpenAuc, Tolerance);
        Assert.AreEqual(rocPairs / (nk * nu), m.AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(labels.Zip(predicted).Count(p => p.First == p.Second) / (double)nk, m.ClosedSetAccuracy, Tolerance);
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(12)]
    [DataRow(13)]
    public void OpenworldAucBySortingEqualsPairwiseDefinition(int seed)
    {
        var rng = new Random(seed);
        int nb = rng.Next(1, 80), nn = rng.Next(1, 80);
        float[] baseScores = Grid(rng, nb), newScores = Grid(rng, nn);
        bool[] baseCorrect = Enumerable.Range(0, nb).Select(_ => rng.NextDouble() < 0.7).ToArray();
        bool[] newCorrect = Enumerable.Range(0, nn).Select(_ => rng.NextDouble() < 0.6).ToArray();

        double sum = 0;
        for (int b = 0; b < nb; b++)
        {
            for (int n = 0; n < nn; n++)
            {
                double win = newScores[n] > baseScores[b] ? 1 : newScores[n] == baseScores[b] ? 0.5 : 0;
                sum += baseCorrect[b] && newCorrect[n] ? win : 0;
            }
        }

        Assert.AreEqual(sum / (nb * nn), OodMetrics.OpenworldAuc(baseScores, baseCorrect, newScores, newCorrect), Tolerance);
    }

    [TestMethod]
    [DataRow(21)]
    [DataRow(22)]
    [DataRow(23)]
    public void AurocAndFprEqualTheirDefinitions(int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(2, 200);
        float[] scores = Grid(rng, n);
        bool[] isOod = Enumerable.Range(0, n).Select(i => i == 0 || (i != 1 && rng.NextDouble() < 0.4)).ToArray();
        float[] id = scores.Where((_, i) => !isOod[i]).ToArray();
        float[] ood = scores.Where((_, i) => isOod[i]).ToArray();

        double wins = id.Sum(a => ood.Sum(b => b > a ? 1.0 : b == a ? 0.5 : 0.0));

        // Papers' FPR@95: try every observed score as t, ascending, keep the first keeping >= 95% of ID.
        double fpr = double.NaN;
        foreach (float t in scores.Distinct().Order())
        {
            if (id.Count(s => s <= t) / (double)id.Length >= 0.95)
            {
                fpr = ood.Count(s => s <= t) / (double)ood.Length;
                break;
            }
        }

        var m = OodMetrics.EvaluateDetection(isOod, scores);

        Assert.AreEqual(wins / (id.Length * ood.Length), m.AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(fpr, m.FalsePositiveRateAtTruePositiveRate95, Tolerance);
    }

    [TestMethod]
    [DataRow(31, 1)]
    [DataRow(32, 3)]
    [DataRow(33, 7)]
    public void TkprQuickselectEqualsFullSortDefinition(int seed, int k)
    {
        var rng = new Random(seed);
        const int C = 20;
        int rows = 50;
        float[] scores = Grid(rng, rows * C);
        bool[] positive = Enumerable.Range(0, rows * C).Select(_ => rng.NextDouble() < 0.2).ToArray();
        for (int r = 0; r < rows; r++)
        {
            // Leave at least k negatives in each row.
            for (int c = 0; c < k; c++)
            {
                positive[r * C + c] = false;
            }
        }

        double sum = 0;
        int counted = 0;
        for (int r = 0; r < rows; r++)
        {
            var f = scores.AsSpan(r * C, C).ToArray();
            var y = positive.AsSpan(r * C, C).ToArray();
            float[] topNegatives = f.Where((_, c) => !y[c]).OrderDescending().Take(k).ToArray();
            float[] pos = f.Where((_, c) => y[c]).ToArray();
            if (pos.Length == 0)
            {
                continue;
            }

            sum += pos.Sum(p => topNegatives.Count(n => p > n)) / (double)(k * pos.Length);
            counted++;
        }

        Assert.AreEqual(sum / counted, OodMetrics.TopKPairwiseRanking(scores, positive, C, k), Tolerance);
        Assert.AreEqual(sum / counted, OodMetrics.EvaluateMultiLabelRanking(scores, positive, C, k).TopKPairwiseRanking, Tolerance);
    }

    private static float[] Grid(Random rng, int n) =>
        Enumerable.Range(0, n).Select(_ => (float)Math.Round(rng.NextDouble() * 2 - 1, 1)).ToArray();
}
