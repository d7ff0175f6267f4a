using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// RMDS, fDBD, ViM and NNGuide on rows they cannot score: a NaN or infinite feature scores NaN (which a Threshold decision
/// flags out-of-distribution), never a finite "in-distribution" value; and their input and label columns are required.
/// </summary>
[TestClass]
public sealed class FeatureStatisticsSafetyTests
{
    private static readonly OodClassifierLayer Layer = OodClassifierLayer.FromArrays([[1f, 0f, 0.2f], [0f, 1f, -0.3f], [0.5f, 0.5f, 1f]], [0f, 0.1f, -0.1f]);

    public static IEnumerable<object?[]> MissingNames => [[null], [""], ["   "]];

    [TestMethod]
    public void NonFiniteRowsScoreNaN()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(2);
        var train = Enumerable.Range(0, 60).Select(i => Enumerable.Range(0, 3).Select(d => (d == i % 3 ? 2f : 0f) + (float)random.NextDouble()).ToArray()).ToArray();
        var model = ml.Ood().Rmds("Rmds", "Embedding")
            .Append(ml.Ood().Fdbd("Fdbd", "Embedding", Layer))
            .Append(ml.Ood().Vim("Vim", "Embedding", Layer, dim: 1))
            .Append(ml.Ood().NnGuide("NnGuide", "Embedding", Layer, k: 5, bankFraction: null))
            .Fit(EmbeddingData.Create(ml, train, [.. Enumerable.Range(0, 60).Select(i => i % 3)]));

        float[][] queries = [[1f, 0.5f, 0.2f], [float.NaN, 0, 0], [0, float.PositiveInfinity, 0], [0, 0, float.NegativeInfinity]];
        var scored = model.Transform(EmbeddingData.Create(ml, queries));
        foreach (string head in new[] { "Rmds", "Fdbd", "Vim", "NnGuide" })
        {
            var scores = scored.GetColumn<float>(head).ToArray();
            Assert.IsTrue(float.IsFinite(scores[0]), $"{head}: a finite row scored {scores[0]}");
            for (int r = 1; r < queries.Length; r++)
            {
                Assert.IsTrue(float.IsNaN(scores[r]), $"{head}: row {r} scored {scores[r]}, not NaN");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(MissingNames))]
    public void CatalogMethodsRequireTheirColumns(string? name)
    {
        var ood = new MLContext(seed: 1).Ood();
        AssertNames("inputColumnName", () => ood.Rmds("Rmds", name!));
        AssertNames("labelColumnName", () => ood.Rmds("Rmds", "Embedding", name!));
        AssertNames("inputColumnName", () => ood.Fdbd("Fdbd", name!, Layer));
        AssertNames("inputColumnName", () => ood.Vim("Vim", name!, Layer, dim: 1));
        AssertNames("inputColumnName", () => ood.NnGuide("NnGuide", name!, Layer));
        AssertNames("outputColumnName", () => ood.NnGuide(name!, "Embedding", Layer));
    }

    [TestMethod]
    public void ALayerIsRequired()
    {
        var ood = new MLContext(seed: 1).Ood();
        Assert.AreEqual("layer", Assert.ThrowsExactly<ArgumentNullException>(() => ood.Fdbd("Fdbd", "Embedding", null!)).ParamName);
        Assert.AreEqual("layer", Assert.ThrowsExactly<ArgumentNullException>(() => ood.Vim("Vim", "Embedding", null!)).ParamName);
        Assert.AreEqual("layer", Assert.ThrowsExactly<ArgumentNullException>(() => ood.NnGuide("NnGuide", "Embedding", null!)).ParamName);
    }

    private static void AssertNames(string parameter, Action create)
    {
        var error = Assert.Throws<ArgumentException>(create);
        Assert.AreEqual(parameter, error.ParamName);
    }
}
