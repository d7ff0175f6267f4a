using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms;

namespace Ml.Ood.Trainers.Tests;

/// <summary>Mahalanobis against tests/ReferenceVectors/mahalanobis.json, label types, and bad input.</summary>
[TestClass]
public sealed class MahalanobisTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ScoresMatchReferenceBatchedAndAfterLoading()
    {
        var (ml, train, test, expected) = Reference();
        var model = ml.Ood().Mahalanobis("MdsScore", "Embedding", "Label", blockSize: 7).Fit(train);
        EmbeddingData.AssertClose(expected, model.Transform(test).GetColumn<float>("MdsScore").ToArray(), "batched");

        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"mds-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, train.Schema, zip);
        var loaded = ml.Model.Load(zip, out _).Transform(test);
        Assert.AreEqual(NumberDataViewType.Single, loaded.Schema["MdsScore"].Type);
        EmbeddingData.AssertClose(expected, loaded.GetColumn<float>("MdsScore").ToArray(), "loaded");
        Assert.AreEqual("4", ((OodHeadTransformer)ml.Ood().Load(zip, out _)).Head.Parameters["classes"]);
    }

    [TestMethod]
    public void KeyLabelsFromMapValueToKeyGiveTheSameScores()
    {
        var (ml, train, test, expected) = Reference();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Ood().Mahalanobis("MdsScore", "Embedding", "Label"))
            .Fit(train);
        EmbeddingData.AssertClose(expected, model.Transform(test).GetColumn<float>("MdsScore").ToArray(), "key labels");
    }

    [TestMethod]
    public void CollinearEmbeddingsUseThePseudoInverse()
    {
        // Third coordinate = first + second, exactly (eighths add without rounding in float): the covariance is
        // singular, so only a pseudo-inverse gives finite distances; a class mean is at distance ~0 of itself.
        var ml = new MLContext(seed: 1);
        var rows = new List<float[]>();
        var labels = new List<int>();
        var random = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            float a = random.Next(8) / 8f, b = random.Next(8) / 8f;
            int label = i % 2;
            rows.Add([a + 2 * label, b + 2 * label, a + b + 4 * label]);
            labels.Add(label);
        }
        var model = ml.Ood().Mahalanobis("S", "Embedding").Fit(EmbeddingData.Create(ml, rows, labels));
        Assert.AreEqual("2", model.Head.Parameters["rank"], "the singular direction is dropped");
        var scores = model.Transform(EmbeddingData.Create(ml, [[0.4375f, 0.4375f, 0.875f], [2.4375f, 2.4375f, 4.875f]])).GetColumn<float>("S").ToArray();
        Assert.IsTrue(scores.All(float.IsFinite));
        Assert.IsLessThan(0.1f, scores[0], $"the class-0 centre scores near 0, got {scores[0]}");
        Assert.IsLessThan(0.1f, scores[1], $"the class-1 centre scores near 0, got {scores[1]}");
    }

    [TestMethod]
    [DataRow("one row per class", new[] { 1f, 2f, 3f, 4f }, new[] { 0, 1 })]
    [DataRow("identical rows within each class", new[] { 1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f }, new[] { 0, 0, 1, 1 })]
    public void ARankZeroCovarianceIsRefused(string why, float[] flat, int[] labels)
    {
        // Every row equals its class mean, so the scatter sum (x - mu_y)(x - mu_y)^T is exactly zero: no direction has
        // any spread. The head used to fit (logging "rank 0") and score every input 0, NaN included.
        var ml = new MLContext(seed: 1);
        var rows = flat.Chunk(2).ToArray();
        var data = EmbeddingData.Create(ml, rows, labels);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Mahalanobis("S", "Embedding", "Label").Fit(data), why);
        StringAssert.StartsWith(error.Message, $"Column 'Embedding' cannot fit a Mahalanobis head: each of its {rows.Length} training rows equals the mean of its class (2 classes in 'Label')");
        StringAssert.Contains(error.Message, "rank 0");
        StringAssert.Contains(error.Message, "one row per class or identical rows within each class");
    }

    [TestMethod]
    public void BadInputGivesClearErrors()
    {
        var ml = new MLContext(seed: 1);
        float[][] rows = [[1, 0], [0, 1], [1, 1]];
        var data = EmbeddingData.Create(ml, rows, [0, 1, 0]);

        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Mahalanobis("S", "Embedding", "Class").Fit(data)).Message,
            "Could not find input column 'Class'");
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Mahalanobis("S", "Embedding", "Embedding").Fit(data)).Message,
            "Schema mismatch for input column 'Embedding': expected Key, Single, Double or Int32 class label, got Vector<Single, 2>");
        var empty = ml.Data.LoadFromEnumerable(new List<EmbeddingRow>(), data.Schema);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Mahalanobis("S", "Embedding").Fit(empty)).Message, "has no rows");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().Mahalanobis("S", "Embedding").Fit(EmbeddingData.Create(ml, rows, [0, 2, 0]))).Message,
            "Class 1 of column 'Label' has no training rows");
        Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().Mahalanobis("S", "Embedding").Fit(EmbeddingData.Create(ml, [[1, float.NaN], [0, 1]], [0, 1])));
    }

    private static (MLContext, IDataView, IDataView, double[]) Reference()
    {
        using var json = EmbeddingData.Reference("mahalanobis.json");
        var train = EmbeddingData.Matrix(json.RootElement.GetProperty("train"));
        var labels = json.RootElement.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var queries = EmbeddingData.Matrix(json.RootElement.GetProperty("queries"));
        var expected = json.RootElement.GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var ml = new MLContext(seed: 1);
        return (ml, EmbeddingData.Create(ml, train, labels), EmbeddingData.Create(ml, queries), expected);
    }
}
