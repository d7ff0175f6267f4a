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
    public void TiesAtTheCutKeepWhatTheFormulaKeeps()
    {
        // D = 10, p = 80: k = 2. Row 1 has one positive value, so a 0 is "kept" too: ASH-P and ASH-S keep the row as it is
        // (s1 = s2 = 3: ASH-S and SCALE scale it by e). Row 2's 2nd and 3rd largest tie at 2: SCALE's kept sum is 4
        // whichever 2 is kept, so it scales by exp(5 / 4). Expected values by hand: energy = -log sum_c exp(w_c . h + b_c).
        var ml = new MLContext();
        float[] weights = [1f, 0f, 2f, 0f, 0f, 0f, 0f, 0f, 0f, 1f, 0f, 1f, 0f, 3f, 0f, 0f, 0f, 0f, 0f, 0f];
        var layer = OodClassifierLayer.FromArrays(weights, [0.5f, -0.5f], 2, 10);
        float[] oneValue = [0f, 0f, 3f, 0f, 0f, 0f, 0f, 0f, 0f, 0f];
        float[] tiedTwos = [1f, 2f, 0f, 2f, 0f, 0f, 0f, 0f, 0f, 0f];
        var data = ImageEmbeddings.Create(ml, [oneValue, tiedTwos]);
        double Energy(double l0, double l1) => -Math.Log(Math.Exp(l0) + Math.Exp(l1));
        // Row 1: logits of h are (2*3 + 0.5, 0 - 0.5) = (6.5, -0.5); scaled by e: (6e + 0.5, -0.5).
        double e = Math.E;
        double scaleRow2 = Math.Exp(5.0 / 4.0);
        // Row 2: w0 . h = 1, w1 . h = 2 + 3 * 2 = 8.
        var expected = new Dictionary<string, double[]>
        {
            ["P"] = [Energy(6.5, -0.5), double.NaN],
            ["S"] = [Energy(6 * e + 0.5, -0.5), double.NaN],
            ["Scale"] = [Energy(6 * e + 0.5, -0.5), Energy(1 * scaleRow2 + 0.5, 8 * scaleRow2 - 0.5)],
        };
        foreach (var (name, estimator) in new (string, IEstimator<OodHeadTransformer>)[]
        {
            ("P", ml.Ood().Ash("Score", "Embedding", layer, AshMode.P, 80)),
            ("S", ml.Ood().Ash("Score", "Embedding", layer, AshMode.S, 80)),
            ("Scale", ml.Ood().Scale("Score", "Embedding", layer, 80)),
        })
        {
            using var model = estimator.Fit(data);
            var scores = HeadHarness.Batched(model, data, "Score");
            for (int row = 0; row < 2; row++)
            {
                if (!double.IsNaN(expected[name][row]))
                {
                    Assert.AreEqual(expected[name][row], scores[row], 1e-5, $"{name}, row {row + 1}");
                }
            }
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
