using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// ReAct against the independent values of tests/ReferenceVectors/posthoc_features.json (numpy, checked against OpenOOD):
/// the clip value fitted on its training rows and the scores, batched in blocks of 7 and row by row; its percentile
/// against numpy's definition by hand; and the errors.
/// </summary>
[TestClass]
public sealed class ReActTests
{
    private static readonly PosthocFeatureReference Reference = PosthocFeatureReference.Load();

    [TestMethod]
    public void ClipValueAndScoresMatchTheReference()
    {
        var expected = Reference.Case("react", ("percentile", 90));
        var ml = new MLContext(seed: 1);
        var train = EmbeddingData.Create(ml, Reference.TrainFeatures);
        var test = EmbeddingData.Create(ml, Reference.Features);
        using var model = ml.Ood().ReAct("ReAct", "Embedding", Reference.Layer, execution: new() { BlockSize = 7 }).Fit(train);

        var settings = model.GetSettings<ReActSettings>();
        Assert.AreEqual(90d, settings.Percentile);
        LogitHeadReference.AssertClose(expected.GetProperty("clip").GetDouble(), settings.Clip, "clip value");
        EmbeddingData.AssertClose(PosthocFeatureReference.Scores(expected), HeadHarness.Batched(model, test, "ReAct"), "react batched");
        EmbeddingData.AssertClose(PosthocFeatureReference.Scores(expected), PerRow(ml, model, test, Reference.Features), "react per row");
    }

    [TestMethod]
    public void PercentileIsNumpysLinearInterpolation()
    {
        // np.percentile([4, 1, 3, 2], p): index (n - 1) p / 100 between the sorted values 1, 2, 3, 4.
        Assert.AreEqual(2.5, ActivationPercentile.Linear([4, 1, 3, 2], 50), 1e-12);
        Assert.AreEqual(3.7, ActivationPercentile.Linear([4, 1, 3, 2], 90), 1e-12);
        Assert.AreEqual(1.3, ActivationPercentile.Linear([4, 1, 3, 2], 10), 1e-12);
        // Runs of equal values, as the zeros of a ReLU: [0, 0, 0, 0, 0, 1, 5], p = 75 -> index 4.5 -> (0 + 1) / 2.
        Assert.AreEqual(0.5, ActivationPercentile.Linear([0, 5, 0, 1, 0, 0, 0], 75), 1e-12);
        Assert.AreEqual(7, ActivationPercentile.Linear([7], 90), 1e-12);
    }

    [TestMethod]
    public void SelectionFindsEveryRankOfASortedCopy()
    {
        var random = new Random(11);
        foreach (int n in new[] { 1, 2, 3, 10, 257, 5000 })
        {
            // Few distinct values (many ties) and many.
            foreach (int distinct in new[] { 3, 1_000_000 })
            {
                var values = Enumerable.Range(0, n).Select(_ => (float)random.Next(distinct)).ToArray();
                var sorted = values.Order().ToArray();
                foreach (int rank in new[] { 0, n / 3, n / 2, n - 1 })
                {
                    Assert.AreEqual(sorted[rank], ActivationPercentile.Select([.. values], rank), $"n={n}, distinct={distinct}, rank={rank}");
                }
            }
        }
    }

    [TestMethod]
    [DataRow(0d)]
    [DataRow(100d)]
    [DataRow(150d)]
    [DataRow(double.NaN)]
    public void PercentileOutsideTheOpenIntervalIsRefused(double percentile)
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Ood().ReAct("ReAct", "Embedding", Reference.Layer, percentile));
        Assert.AreEqual("percentile", error.ParamName);
        StringAssert.Contains(error.Message, OodErrors.PercentileOutOfRange);
    }

    [TestMethod]
    public void AColumnOfAnotherWidthThanTheLayerIsRefusedAtFit()
    {
        var ml = new MLContext();
        var logits = EmbeddingData.Create(ml, [new float[10], new float[10]]);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().ReAct("ReAct", "Embedding", Reference.Layer).Fit(logits));
        StringAssert.Contains(error.Message,
            "Column 'Embedding' has 10 values per row, but the classifier layer reads 32 features; pass the penultimate-feature column");
    }

    [TestMethod]
    public void NoTrainingRowsIsAnError()
    {
        var ml = new MLContext();
        var empty = ml.Data.SkipRows(EmbeddingData.Create(ml, Reference.Features), Reference.Features.Length);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().ReAct("ReAct", "Embedding", Reference.Layer).Fit(empty));
        StringAssert.Contains(error.Message, "Column 'Embedding' has no rows");
    }

    [TestMethod]
    public void NonFiniteTrainingActivationsAreAnError()
    {
        var ml = new MLContext();
        var rows = Reference.TrainFeatures.Take(3).Select(r => r.ToArray()).ToArray();
        rows[2][5] = float.NaN;
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().ReAct("ReAct", "Embedding", Reference.Layer).Fit(EmbeddingData.Create(ml, rows)));
        StringAssert.Contains(error.Message, "has a NaN or infinite value in row 2");
    }

    private static float[] PerRow(MLContext ml, ITransformer model, IDataView data, float[][] features)
    {
        var input = SchemaDefinition.Create(typeof(EmbeddingRow));
        input[nameof(EmbeddingRow.Embedding)].ColumnType = data.Schema["Embedding"].Type;
        var output = SchemaDefinition.Create(typeof(ScoreOutput));
        output[0].ColumnName = "ReAct";
        using var engine = ml.Model.CreatePredictionEngine<EmbeddingRow, ScoreOutput>(model, inputSchemaDefinition: input, outputSchemaDefinition: output);
        return [.. features.Select(h => engine.Predict(new EmbeddingRow { Embedding = h }).Score)];
    }
}
