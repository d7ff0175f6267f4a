using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>fDBD against the fdbd case of tests/ReferenceVectors/posthoc_features.json, hand calculations, and bad input.</summary>
[TestClass]
public sealed class FdbdTests
{
    /// <summary>Two classes on the axes of a plane: the boundary between them is the diagonal, ||w_0 - w_1|| = sqrt 2.</summary>
    private static readonly OodClassifierLayer Plane = OodClassifierLayer.FromArrays([[1f, 0f], [0f, 1f]], [0f, 0f]);

    [TestMethod]
    public void ScoresMatchTheReferenceBatchedAndPerRow()
    {
        var reference = PosthocFeatureReference.Load();
        var ml = new MLContext(seed: 1);
        var model = ml.Ood().Fdbd("Fdbd", "Embedding", reference.Layer, execution: new() { BlockSize = 7 }).Fit(reference.TrainData(ml));
        reference.AssertScores(ml, model, "Fdbd", PosthocFeatureReference.Scores(reference.Case("fdbd")), "fDBD");
        Assert.AreEqual(new FeatureDecisionBoundarySettings(10, true), model.GetSettings<FeatureDecisionBoundarySettings>());
    }

    [TestMethod]
    public void HandCalculationWithEitherNormaliser()
    {
        // h = (3, 1): logits (3, 1), class 0 predicted, gap 2 over sqrt 2, i.e. sqrt 2. The training mean is (2, 2), so
        // ||h - mean|| = sqrt 2 and the score is -1; divided by ||h|| = sqrt 10 instead it is -sqrt(2 / 10).
        var ml = new MLContext(seed: 1);
        var train = EmbeddingData.Create(ml, [[1f, 1f], [3f, 3f]]);
        var query = EmbeddingData.Create(ml, [[3f, 1f]]);
        var toMean = ml.Ood().Fdbd("S", "Embedding", Plane).Fit(train).Transform(query).GetColumn<float>("S").Single();
        Assert.AreEqual(-1, toMean, 1e-6);
        var toOrigin = ml.Ood().Fdbd("S", "Embedding", Plane, distanceAsNormalizer: false).Fit(train).Transform(query).GetColumn<float>("S").Single();
        Assert.AreEqual(-Math.Sqrt(0.2), toOrigin, 1e-6);
    }

    [TestMethod]
    public void IdenticalWeightRowsAreRefusedWhenTheLayerIsPassed()
    {
        var layer = OodClassifierLayer.FromArrays([[1f, 2f], [0f, 1f], [1f, 2f]], [0f, 1f, 2f]);
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Ood().Fdbd("S", "Embedding", layer));
        StringAssert.StartsWith(error.Message, "Classes 0 and 2 of the classifier layer have identical weight rows");
        Assert.AreEqual("layer", error.ParamName);
    }

    [TestMethod]
    public void AColumnOfAnotherWidthOrWithoutRowsIsRefused()
    {
        var reference = PosthocFeatureReference.Load();
        var ml = new MLContext(seed: 1);
        var narrow = EmbeddingData.Create(ml, [[1f, 2f, 3f]]);
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Fdbd("S", "Embedding", reference.Layer).Fit(narrow)).Message,
            "Column 'Embedding' has 3 values per row, but the classifier layer reads 32 features");
        var empty = ml.Data.LoadFromEnumerable(new List<EmbeddingRow>(), EmbeddingData.Create(ml, [[1f, 2f]]).Schema);
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Fdbd("S", "Embedding", Plane).Fit(empty)).Message,
            "Column 'Embedding' has no rows: the fDBD head is fitted on in-distribution training features.");
    }
}
