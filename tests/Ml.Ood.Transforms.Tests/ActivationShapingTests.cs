using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// ASH-P, ASH-B, ASH-S and SCALE against the independent values of tests/ReferenceVectors/posthoc_features.json (numpy,
/// checked against OpenOOD), batched in blocks of 7 and row by row.
/// </summary>
[TestClass]
public sealed class ActivationShapingTests
{
    private static readonly PosthocFeatureReference Reference = PosthocFeatureReference.Load();

    [TestMethod]
    [DataRow(AshMode.P, 90, 3)]
    [DataRow(AshMode.B, 90, 3)]
    [DataRow(AshMode.S, 90, 3)]
    [DataRow(AshMode.P, 65, 11)]
    [DataRow(AshMode.B, 65, 11)]
    [DataRow(AshMode.S, 65, 11)]
    public void AshMatchesTheReference(AshMode mode, int percentile, int kept)
    {
        string head = $"ash_{mode.ToString().ToLowerInvariant()}";
        var expected = Reference.Case(head, ("percentile", percentile), ("k", kept));
        var ml = new MLContext(seed: 1);
        var estimator = ml.Ood().Ash("Ash", "Embedding", Reference.Layer, mode, percentile, execution: new() { BlockSize = 7 });
        Assert.AreEqual(new AshSettings(mode, percentile, kept), estimator.Settings);
        CheckScores(ml, estimator, PosthocFeatureReference.Scores(expected), $"{head}(p={percentile})");
    }

    [TestMethod]
    [DataRow(85, 5)]
    [DataRow(65, 11)]
    public void ScaleMatchesTheReference(int percentile, int kept)
    {
        var expected = Reference.Case("scale", ("percentile", percentile), ("k", kept));
        var ml = new MLContext(seed: 1);
        var estimator = ml.Ood().Scale("Scale", "Embedding", Reference.Layer, percentile, execution: new() { BlockSize = 7 });
        Assert.AreEqual(new ScaleSettings(percentile, kept), estimator.Settings);
        CheckScores(ml, estimator, PosthocFeatureReference.Scores(expected), $"scale(p={percentile})");
    }

    [TestMethod]
    public void DefaultsAreOpenOods()
    {
        var ml = new MLContext();
        Assert.AreEqual(new AshSettings(AshMode.B, 90, 3), ml.Ood().Ash("Ash", "Embedding", Reference.Layer).Settings);
        Assert.AreEqual(new ScaleSettings(85, 5), ml.Ood().Scale("Scale", "Embedding", Reference.Layer).Settings);
    }

    [TestMethod]
    public void KeptFeaturesRoundHalfToEvenAsNumpy()
    {
        // D p / 100 = 2.5 rounds to 2 (k = 8) and 3.5 to 4 (k = 6), as np.round does; half away from zero would give 7 and 6.
        var ml = new MLContext();
        var ten = OodClassifierLayer.FromArrays(new float[20], new float[2], 2, 10);
        Assert.AreEqual(8, ml.Ood().Ash("Ash", "Embedding", ten, percentile: 25).Settings.Kept);
        Assert.AreEqual(6, ml.Ood().Ash("Ash", "Embedding", ten, percentile: 35).Settings.Kept);
        Assert.AreEqual(8, ml.Ood().Scale("Scale", "Embedding", ten, percentile: 25).Settings.Kept);
    }

    [TestMethod]
    public void ARowOfZerosScoresTheEnergyOfTheBias()
    {
        // h = 0 gives logits b = (0, ln 3): -log(1 + 3) for every mode and for SCALE (OpenOOD's 0 / 0 would give NaN).
        var ml = new MLContext();
        var layer = OodClassifierLayer.FromArrays([1f, 2f, 3f, 4f, 5f, 6f], [0f, MathF.Log(3)], 2, 3);
        var data = ImageEmbeddings.Create(ml, [new float[3], [1f, 0f, 0f]]);
        foreach (var estimator in new IEstimator<OodHeadTransformer>[]
            { ml.Ood().Ash("S", "Embedding", layer, AshMode.S, 50), ml.Ood().Ash("B", "Embedding", layer, AshMode.B, 50), ml.Ood().Scale("S", "Embedding", layer, 50) })
        {
            using var model = estimator.Fit(data);
            Assert.AreEqual(-Math.Log(4), HeadHarness.Batched(model, data, model.Head.OutputColumnName)[0], 1e-6);
        }
    }

    [TestMethod]
    [DataRow(0d)]
    [DataRow(100d)]
    [DataRow(-5d)]
    [DataRow(double.NaN)]
    public void PercentileOutsideTheOpenIntervalIsRefused(double percentile)
    {
        var ml = new MLContext();
        var ash = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Ash("Ash", "Embedding", Reference.Layer, percentile: percentile));
        Assert.AreEqual("percentile", ash.ParamName);
        StringAssert.Contains(ash.Message, OodErrors.PercentileOutOfRange);
        var scale = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Scale("Scale", "Embedding", Reference.Layer, percentile));
        Assert.AreEqual("percentile", scale.ParamName);
    }

    [TestMethod]
    public void APercentileThatKeepsNothingIsRefused()
    {
        // 32 x 99 / 100 = 31.68 rounds to 32: nothing kept.
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Ood().Ash("Ash", "Embedding", Reference.Layer, percentile: 99));
        StringAssert.Contains(error.Message, "Percentile 99 of 32 features keeps none");
    }

    [TestMethod]
    public void AColumnOfAnotherWidthThanTheLayerIsRefusedAtFit()
    {
        var ml = new MLContext();
        var logits = ImageEmbeddings.Create(ml, [new float[10]]);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Ash("Ash", "Embedding", Reference.Layer).Fit(logits));
        StringAssert.Contains(error.Message, "Column 'Embedding' has 10 values per row, but the classifier layer reads 32 features");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Scale("Scale", "Embedding", Reference.Layer).Fit(logits));
    }

    private static void CheckScores(MLContext ml, IEstimator<OodHeadTransformer> estimator, double[] expected, string head)
    {
        var data = ImageEmbeddings.Create(ml, Reference.Features);
        using var model = estimator.Fit(data);
        string column = model.Head.OutputColumnName;
        var batched = HeadHarness.Batched(model, data, column);
        var perRow = ImageEmbeddings.PerRow(ml, model, data, Reference.Features, column);
        Assert.HasCount(expected.Length, batched);
        for (int i = 0; i < expected.Length; i++)
        {
            LogitHeadReference.AssertClose(expected[i], batched[i], $"{head} batched row {i}");
            LogitHeadReference.AssertClose(expected[i], perRow[i], $"{head} per row {i}");
        }
    }
}
