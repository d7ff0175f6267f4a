using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// Issue 10 on the fitted heads: a NaN or infinite query scores NaN (KNN used to skip it in its TopK, Mahalanobis in
/// its ReduceMin), tiny and huge queries normalise like any other, and a decision column is marked as MlOod's
/// prediction, so that no evaluator reads it as the truth.
/// </summary>
[TestClass]
public sealed class FittedHeadSafetyTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void NonFiniteQueriesScoreNaNAndTinyOrHugeOnesScoreAsTheirDirection()
    {
        var ml = new MLContext(seed: 1);
        var (train, labels) = Training();
        var model = ml.Ood().Knn("Knn", "Embedding", k: 3)
            .Append(ml.Ood().Mahalanobis("Mahalanobis", "Embedding", "Label"))
            .Fit(EmbeddingData.Create(ml, train, labels));

        float[] direction = [0.7f, -0.1f, 0.3f, 0.2f];
        float[][] queries = [direction, Scale(direction, 1e-30f), Scale(direction, 1e30f),
            [float.NaN, 0, 0, 0], [0, float.PositiveInfinity, 0, 0], [0, 0, float.NegativeInfinity, 1]];
        var scored = model.Transform(EmbeddingData.Create(ml, queries));
        var knn = scored.GetColumn<float>("Knn").ToArray();
        Assert.AreEqual(knn[0], knn[1], 1e-6, "a 1e-30 multiple of a query is as far from the bank as the query");
        Assert.AreEqual(knn[0], knn[2], 1e-6, "a 1e30 multiple of a query is as far from the bank as the query");
        var mahalanobis = scored.GetColumn<float>("Mahalanobis").ToArray();
        foreach (var (name, scores) in new[] { ("Knn", knn), ("Mahalanobis", mahalanobis) })
        {
            for (int r = 3; r < queries.Length; r++)
            {
                Assert.IsTrue(float.IsNaN(scores[r]), $"{name}: row {r} scored {scores[r]}, not NaN");
            }
        }
    }

    [TestMethod]
    public void ADecisionColumnIsMarkedAsMlOodsPredictionWhereverTheHeadIsBatched()
    {
        var ml = new MLContext(seed: 1);
        var (train, labels) = Training();
        var data = EmbeddingData.Create(ml, train, labels);
        var knn = ml.Ood().Knn("Knn", "Embedding", k: 3).Fit(data);
        var model = knn.Append(ml.Ood().Threshold("IsOod", "Knn").Fit(knn.Transform(data)));

        // The head alone, in memory and after ml.Ood().Load, is HeadConformance's; here, in a chain and after WithBatchedHeads.
        Assert.IsTrue(OodAnnotations.IsDecision(model.Transform(data).Schema["IsOod"]), "in memory");
        Assert.IsFalse(OodAnnotations.IsDecision(model.Transform(data).Schema["Knn"]), "a score is no decision");
        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"decision-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, zip);
        var loaded = ml.Ood().Load(zip, out _);
        Assert.IsTrue(OodAnnotations.IsDecision(loaded.Transform(data).Schema["IsOod"]), "after ml.Ood().Load");
        var plain = ml.Model.Load(zip, out _);
        Assert.IsTrue(OodAnnotations.IsDecision(ml.Ood().WithBatchedHeads(plain).Transform(data).Schema["IsOod"]), "after WithBatchedHeads");
    }

    private static (float[][] Rows, int[] Labels) Training()
    {
        var random = new Random(3);
        var rows = Enumerable.Range(0, 60).Select(i =>
            Enumerable.Range(0, 4).Select(d => (d == i % 2 ? 3f : 0f) + (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
        return (rows, Enumerable.Range(0, 60).Select(i => i % 2).ToArray());
    }

    private static float[] Scale(float[] row, float factor) => row.Select(v => v * factor).ToArray();
}
