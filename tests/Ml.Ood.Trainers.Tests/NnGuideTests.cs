using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>NNGuide against the nnguide case of tests/ReferenceVectors/posthoc_features.json, hand calculations, and bad input.</summary>
[TestClass]
public sealed class NnGuideTests
{
    /// <summary>One class, logit = h_0 + 1.</summary>
    private static readonly OodClassifierLayer OneClass = OodClassifierLayer.FromArrays([[1f, 0f]], [1f]);

    [TestMethod]
    public void ScoresMatchTheReferenceBatchedAndPerRow()
    {
        var reference = PosthocFeatureReference.Load();
        var nnguide = reference.Case("nnguide");
        Assert.AreEqual("all training rows", nnguide.GetProperty("bank").GetString());
        int k = nnguide.GetProperty("k").GetInt32();
        var ml = new MLContext(seed: 1);
        var model = ml.Ood().NnGuide("NnGuide", "Embedding", reference.Layer, k, bankFraction: null, execution: new() { BlockSize = 7 })
            .Fit(reference.TrainData(ml));
        reference.AssertScores(ml, model, "NnGuide", PosthocFeatureReference.Scores(nnguide), "NNGuide");
        Assert.AreEqual(new NearestNeighborGuidanceSettings(k, reference.TrainFeatures.Length), model.GetSettings<NearestNeighborGuidanceSettings>());
    }

    [TestMethod]
    public void HandCalculation()
    {
        // Training rows (1, 0) (logit 2) and (0, 3) (logit 1): guides (2, 0) and (0, 1). The query (2, 0) has unit (1, 0),
        // similarities 2 and 0 and energy 3: k = 1 gives -2 * 3 = -6, k = 2 gives -1 * 3 = -3. The query (0, 1): similarities
        // 0 and 1, energy 1, so -1 with k = 1.
        var ml = new MLContext(seed: 1);
        var train = EmbeddingData.Create(ml, [[1f, 0f], [0f, 3f]]);
        var queries = EmbeddingData.Create(ml, [[2f, 0f], [0f, 1f]]);
        var nearest = ml.Ood().NnGuide("S", "Embedding", OneClass, k: 1, bankFraction: null).Fit(train).Transform(queries).GetColumn<float>("S").ToArray();
        Assert.AreEqual(-6, nearest[0], 1e-6);
        Assert.AreEqual(-1, nearest[1], 1e-6);
        var both = ml.Ood().NnGuide("S", "Embedding", OneClass, k: 2, bankFraction: null).Fit(train).Transform(queries).GetColumn<float>("S").ToArray();
        Assert.AreEqual(-3, both[0], 1e-6);
    }

    [TestMethod]
    public void TheBankIsSampledAsKnnsSeeded()
    {
        var reference = PosthocFeatureReference.Load();
        var ml = new MLContext(seed: 1);
        var train = reference.TrainData(ml);
        var capped = ml.Ood().NnGuide("S", "Embedding", reference.Layer, k: 5, bankFraction: null, maxBankRows: 50, seed: 3).Fit(train);
        Assert.AreEqual(50, capped.GetSettings<NearestNeighborGuidanceSettings>().BankRows);
        var first = ml.Ood().NnGuide("S", "Embedding", reference.Layer, k: 5, bankFraction: 0.2, seed: 3).Fit(train);
        var second = ml.Ood().NnGuide("S", "Embedding", reference.Layer, k: 5, bankFraction: 0.2, seed: 3).Fit(train);
        int rows = first.GetSettings<NearestNeighborGuidanceSettings>().BankRows;
        Assert.IsTrue(rows is > 60 and < 180, $"a 20% sample of 600 rows kept {rows}");
        CollectionAssert.AreEqual(first.Transform(reference.TestData(ml)).GetColumn<float>("S").ToArray(),
            second.Transform(reference.TestData(ml)).GetColumn<float>("S").ToArray(), "the same seed gives the same bank");
    }

    [TestMethod]
    public void KLargerThanTheBankIsRefusedNamingBoth()
    {
        // The default fraction (1%) of 600 rows keeps about 6, far below the default k = 100.
        var reference = PosthocFeatureReference.Load();
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().NnGuide("S", "Embedding", reference.Layer, seed: 2)
            .Fit(reference.TrainData(ml)));
        StringAssert.StartsWith(error.Message, "k = 100 is larger than the NNGuide bank (");
        Assert.AreEqual("k", error.ParamName);
        var exact = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().NnGuide("S", "Embedding", OneClass, k: 3, bankFraction: null)
            .Fit(EmbeddingData.Create(ml, [[1f, 0f], [0f, 3f]])));
        StringAssert.StartsWith(exact.Message, "k = 3 is larger than the NNGuide bank (2 rows)");
    }

    [TestMethod]
    public void BadSettingsAndInputGiveClearErrors()
    {
        var ml = new MLContext(seed: 1);
        Assert.AreEqual("k", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().NnGuide("S", "Embedding", OneClass, k: 0)).ParamName);
        Assert.AreEqual("bankFraction", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().NnGuide("S", "Embedding", OneClass, bankFraction: 0)).ParamName);
        Assert.AreEqual("bankFraction", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().NnGuide("S", "Embedding", OneClass, bankFraction: 1.5)).ParamName);
        Assert.AreEqual("maxBankRows", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().NnGuide("S", "Embedding", OneClass, maxBankRows: 0)).ParamName);
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => ml.Ood().NnGuide("S", "Embedding", OneClass).Fit(EmbeddingData.Create(ml, [[1f, 2f, 3f]]))).Message,
            "Column 'Embedding' has 3 values per row, but the classifier layer reads 2 features");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidOperationException>(
            () => ml.Ood().NnGuide("S", "Embedding", OneClass, k: 1, bankFraction: null).Fit(EmbeddingData.Create(ml, [[0f, 0f], [0f, 0f]]))).Message,
            "The NNGuide bank is empty: of the 2 rows of column 'Embedding', none of non-zero norm was kept");
    }
}
