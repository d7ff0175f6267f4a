using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>RMDS against the rmds case of tests/ReferenceVectors/posthoc_features.json, and bad input.</summary>
[TestClass]
public sealed class RmdsTests
{
    [TestMethod]
    public void ScoresMatchTheReferenceBatchedAndPerRow()
    {
        var reference = PosthocFeatureReference.Load();
        var ml = new MLContext(seed: 1);
        var model = ml.Ood().Rmds("Rmds", "Embedding", "Label", execution: new() { BlockSize = 7 }).Fit(reference.TrainData(ml));
        reference.AssertScores(ml, model, "Rmds", PosthocFeatureReference.Scores(reference.Case("rmds")), "RMDS");
        Assert.AreEqual(new RelativeMahalanobisSettings("Label", 10, 32, 32), model.GetSettings<RelativeMahalanobisSettings>());
    }

    [TestMethod]
    public void HandCalculationOnOneDimension()
    {
        // 1-d, two classes: class 0 at {0, 2}, class 1 at {10, 12}. Class-centred rows are -1, 1, -1, 1: variance 1, P = 1.
        // All rows about their mean 6: -6, -4, 4, 6, variance (36 + 16 + 16 + 36) / 4 = 26, P_0 = 1/26.
        // At h = 4: min((4 - 1)^2, (4 - 11)^2) - (4 - 6)^2 / 26 = 9 - 4/26.
        var ml = new MLContext(seed: 1);
        var train = EmbeddingData.Create(ml, [[0f], [2f], [10f], [12f]], [0, 0, 1, 1]);
        var model = ml.Ood().Rmds("Rmds", "Embedding").Fit(train);
        var score = model.Transform(EmbeddingData.Create(ml, [[4f], [6f]])).GetColumn<float>("Rmds").ToArray();
        Assert.AreEqual(9 - 4 / 26.0, score[0], 1e-5);
        Assert.AreEqual(25, score[1], 1e-5, "the data's mean: min((6 - 1)^2, (6 - 11)^2) - 0");
    }

    [TestMethod]
    public void MissingOrMistypedLabelsAreRefused()
    {
        var reference = PosthocFeatureReference.Load();
        var ml = new MLContext(seed: 1);
        var train = reference.TrainData(ml);
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Rmds("S", "Embedding", "Class").Fit(train)).Message,
            "Could not find input column 'Class'");
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Rmds("S", "Embedding", "Embedding").Fit(train)).Message,
            "Schema mismatch for input column 'Embedding': expected a class label");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(
            () => ml.Ood().Rmds("S", "Embedding").Fit(EmbeddingData.Create(ml, [[1f, 0f], [0f, 1f], [1f, 1f]], [0, 2, 0]))).Message,
            "Class 1 of column 'Label' has no training rows");
    }

    [TestMethod]
    public void AWrongWidthIsRefused()
    {
        var reference = PosthocFeatureReference.Load();
        var ml = new MLContext(seed: 1);
        var model = ml.Ood().Rmds("S", "Embedding").Fit(reference.TrainData(ml));
        var narrow = EmbeddingData.Create(ml, [[1f, 2f, 3f]]);
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(narrow)).Message,
            "Schema mismatch for input column 'Embedding': expected vector of Single of size 32, got Vector<Single, 3>");
    }

    [TestMethod]
    public void ARankZeroClassCovarianceIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var data = EmbeddingData.Create(ml, [[1f, 2f], [1f, 2f], [3f, 4f], [3f, 4f]], [0, 0, 1, 1]);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Rmds("S", "Embedding").Fit(data));
        StringAssert.StartsWith(error.Message, "Column 'Embedding' cannot fit an RMDS head: each of its 4 training rows equals the mean of its class (2 classes in 'Label')");
    }
}
