using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>ViM against the vim case of tests/ReferenceVectors/posthoc_features.json, hand calculations, and bad input.</summary>
[TestClass]
public sealed class VimTests
{
    [TestMethod]
    public void ScoresAndAlphaMatchTheReferenceBatchedAndPerRow()
    {
        var reference = PosthocFeatureReference.Load();
        var vim = reference.Case("vim");
        int dim = vim.GetProperty("dim").GetInt32();
        var ml = new MLContext(seed: 1);
        var model = ml.Ood().Vim("Vim", "Embedding", reference.Layer, dim, execution: new() { BlockSize = 7 }).Fit(reference.TrainData(ml));
        reference.AssertScores(ml, model, "Vim", PosthocFeatureReference.Scores(vim), "ViM");
        var settings = model.GetSettings<VirtualLogitMatchingSettings>();
        Assert.AreEqual(dim, settings.Dim);
        LogitHeadReference.AssertClose(vim.GetProperty("alpha").GetDouble(), settings.Alpha, "alpha");
    }

    [TestMethod]
    public void HandCalculation()
    {
        // One class, W = [1, 0], b = [1]: u = -pinv(W) b = (-1, 0), and the logit is (h - u)_1. Training rows at u + (3, 0),
        // u + (-1, 0), u + (0, 1), u + (0, -1): uncentred covariance diag(10/4, 2/4), so dim = 1 keeps axis 0 and NS = axis 1.
        // Mean max-logit (3 - 1 + 0 + 0) / 4 = 0.5, mean residual (0 + 0 + 1 + 1) / 4 = 0.5: alpha = 1.
        // At h = u + (1, 2) = (0, 2): 1 * 2 - LSE(1) = 1; at h = u: 0 - 0 = 0.
        var ml = new MLContext(seed: 1);
        var layer = OodClassifierLayer.FromArrays([[1f, 0f]], [1f]);
        var train = EmbeddingData.Create(ml, [[2f, 0f], [-2f, 0f], [-1f, 1f], [-1f, -1f]]);
        var model = ml.Ood().Vim("Vim", "Embedding", layer, dim: 1).Fit(train);
        Assert.AreEqual(1, model.GetSettings<VirtualLogitMatchingSettings>().Alpha, 1e-12);
        var scores = model.Transform(EmbeddingData.Create(ml, [[0f, 2f], [-1f, 0f]])).GetColumn<float>("Vim").ToArray();
        Assert.AreEqual(1, scores[0], 1e-6);
        Assert.AreEqual(0, scores[1], 1e-6);
    }

    [TestMethod]
    public void PseudoInverseOfWideTallAndSingularLayers()
    {
        // Wide (C <= D): W = [[1, 0, 0], [0, 2, 0]], b = (1, 4): the minimum-norm solution of W x = b is (1, 2, 0).
        AssertVector([1, 2, 0], LayerAlgebra.PseudoInverseTimesBias(OodClassifierLayer.FromArrays([[1f, 0f, 0f], [0f, 2f, 0f]], [1f, 4f])));
        // Tall (C > D): W = [[1, 0], [0, 1], [1, 1]], b = (1, 2, 3): least squares, (W^T W)^-1 W^T b = [[2, 1], [1, 2]]^-1 (4, 5) = (1, 2).
        AssertVector([1, 2], LayerAlgebra.PseudoInverseTimesBias(OodClassifierLayer.FromArrays([[1f, 0f], [0f, 1f], [1f, 1f]], [1f, 2f, 3f])));
        // Singular: pinv([[1, 1], [1, 1]]) = [[1, 1], [1, 1]] / 4, so pinv(W) (2, 2) = (1, 1).
        AssertVector([1, 1], LayerAlgebra.PseudoInverseTimesBias(OodClassifierLayer.FromArrays([[1f, 1f], [1f, 1f]], [2f, 2f])));
    }

    [TestMethod]
    [DataRow(32, 4)]
    [DataRow(8, 1)]
    [DataRow(2, 1)]
    public void TheDefaultDimIsAnEighthOfTheFeatures(int features, int dim)
    {
        var layer = OodClassifierLayer.FromArrays(new float[3 * features], new float[3], 3, features);
        Assert.AreEqual(dim, new MLContext().Ood().Vim("Vim", "Embedding", layer).Dim);
    }

    [TestMethod]
    [DataRow(8, 8)]
    [DataRow(8, 9)]
    [DataRow(8, 0)]
    [DataRow(1, null)]
    public void ADimOutsideOneToDIsRefused(int features, int? dim)
    {
        var layer = OodClassifierLayer.FromArrays(new float[3 * features], new float[3], 3, features);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Ood().Vim("Vim", "Embedding", layer, dim));
        StringAssert.StartsWith(error.Message, $"ViM's dim = {dim ?? 1} must be at least 1 and below the layer's feature count D = {features}");
        Assert.AreEqual("dim", error.ParamName);
    }

    [TestMethod]
    public void BadInputGivesClearErrors()
    {
        var reference = PosthocFeatureReference.Load();
        var ml = new MLContext(seed: 1);
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => ml.Ood().Vim("S", "Embedding", reference.Layer, 12).Fit(EmbeddingData.Create(ml, [[1f, 2f, 3f]]))).Message,
            "Column 'Embedding' has 3 values per row, but the classifier layer reads 32 features");

        // Rows that vary along axis 0 only: nothing is left beyond the one principal direction.
        var layer = OodClassifierLayer.FromArrays([[1f, 0f]], [1f]);
        var flat = EmbeddingData.Create(ml, [[2f, 0f], [-2f, 0f], [0f, 0f]]);
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Vim("S", "Embedding", layer, 1).Fit(flat)).Message,
            "The training features of column 'Embedding' have no spread beyond their 1 largest principal directions");
        var empty = ml.Data.LoadFromEnumerable(new List<EmbeddingRow>(), flat.Schema);
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Vim("S", "Embedding", layer, 1).Fit(empty)).Message,
            "Column 'Embedding' has no rows: the ViM head");
    }

    private static void AssertVector(double[] expected, double[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], 1e-12, $"entry {i}");
        }
    }
}
