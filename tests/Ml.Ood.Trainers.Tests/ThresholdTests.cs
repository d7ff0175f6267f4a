using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Trainers.Tests;

/// <summary>The calibrated decision: hand-computed thresholds, persistence of the threshold, bad input.</summary>
[TestClass]
public sealed class ThresholdTests
{
    private sealed class ScoreRow
    {
        public float Score { get; set; }
    }

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(0.95, 19f)] // ceil(0.95 * 20) = 19th smallest of 1..20
    [DataRow(0.9, 18f)]
    [DataRow(0.5, 10f)]
    [DataRow(1.0, 20f)]
    [DataRow(0.01, 1f)]
    public void ThresholdKeepsTheRequestedFractionOfIdRows(double rate, float expected)
    {
        var ml = new MLContext(seed: 1);
        var id = Scores(ml, Enumerable.Range(1, 20).Select(i => (float)i).Reverse());
        var model = ml.Ood().Threshold("IsOod", "Score", rate).Fit(id);
        Assert.AreEqual(expected, model.ThresholdSettings.Threshold);
        Assert.AreEqual(new ThresholdSettings(expected, rate, 20, null), model.ThresholdSettings);

        var decisions = model.Transform(id).GetColumn<bool>("IsOod").ToArray();
        var scores = id.GetColumn<float>("Score").ToArray();
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.AreEqual(scores[i] > expected, decisions[i], $"score {scores[i]}");
        }
    }

    [TestMethod]
    public void DecisionAndThresholdSurviveSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var id = Scores(ml, Enumerable.Range(1, 100).Select(i => i * 0.5f));
        var test = Scores(ml, [-1f, 47.5f, 47.6f, 1000f, float.NaN]);
        var model = ml.Ood().Threshold("IsOod", "Score").Fit(id);
        bool[] expected = [false, false, true, true, true];
        CollectionAssert.AreEqual(expected, model.Transform(test).GetColumn<bool>("IsOod").ToArray(), "batched");

        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"threshold-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, id.Schema, zip);
        var loaded = ml.Model.Load(zip, out _).Transform(test);
        Assert.AreEqual(BooleanDataViewType.Instance, loaded.Schema["IsOod"].Type, "the decision stays a scalar Boolean");
        CollectionAssert.AreEqual(expected, loaded.GetColumn<bool>("IsOod").ToArray(), "loaded");
        var restored = (OodHeadTransformer)ml.Ood().Load(zip, out _);
        Assert.AreEqual(new ThresholdSettings(47.5f, 0.95, 100, null), restored.ThresholdSettings, "typed, from the saved head");
        Assert.AreEqual(47.5f, restored.Head.GetSingle("threshold"), "the raw parameter agrees");
        Assert.AreEqual(OodHeadOutputKind.Decision, restored.Head.OutputKind);
    }

    [TestMethod]
    [DataRow(256)]
    [DataRow(2)]
    public void NonFiniteScoresAreOutOfDistribution(int blockSize)
    {
        // Fail closed: a score that is NaN or infinite is OOD (Greater(score, t) used to pass NaN as ID). t = 47.5, the
        // ceil(0.95 * 100) = 95th smallest of 0.5, 1, ..., 50. A score equal to t is ID (score <= t counts as ID, as in
        // FPR@95TPR); the next float above t is OOD.
        var ml = new MLContext(seed: 1);
        var id = Scores(ml, Enumerable.Range(1, 100).Select(i => i * 0.5f));
        float[] scores = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 47.5f, MathF.BitIncrement(47.5f), MathF.BitDecrement(47.5f), -1e30f, float.MaxValue];
        bool[] expected = [true, true, true, false, true, false, false, true];
        var test = Scores(ml, scores);
        var model = ml.Ood().Threshold("IsOod", "Score", execution: new() { BlockSize = blockSize }).Fit(id);
        Assert.AreEqual(47.5f, model.ThresholdSettings.Threshold);

        CollectionAssert.AreEqual(expected, model.Transform(test).GetColumn<bool>("IsOod").ToArray(), "batched");
        using (var engine = ml.Model.CreatePredictionEngine<ScoreRow, DecisionRow>(model))
        {
            CollectionAssert.AreEqual(expected, scores.Select(x => engine.Predict(new ScoreRow { Score = x }).IsOod).ToArray(), "per row");
        }

        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"threshold-nan-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, id.Schema, zip);
        CollectionAssert.AreEqual(expected, ml.Model.Load(zip, out _).Transform(test).GetColumn<bool>("IsOod").ToArray(), "loaded by ML.NET");
        CollectionAssert.AreEqual(expected, ml.Ood().Load(zip, out _).Transform(test).GetColumn<bool>("IsOod").ToArray(), "loaded batched");
    }

    private sealed class DecisionRow
    {
        public bool IsOod { get; set; }
    }

    [TestMethod]
    public void BadInputGivesClearErrors()
    {
        var ml = new MLContext(seed: 1);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Threshold("IsOod", "Score", 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Threshold("IsOod", "Score", 1.01));
        var nan = Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().Threshold("IsOod", "Score").Fit(Scores(ml, [1f, float.NaN])));
        StringAssert.Contains(nan.Message, "Column 'Score' has a NaN score in row 1");
        var infinite = Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().Threshold("IsOod", "Score").Fit(Scores(ml, [1f, 2f, float.NegativeInfinity])));
        StringAssert.Contains(infinite.Message, "Column 'Score' has an infinite score in row 2");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Threshold("IsOod", "Score").Fit(Scores(ml, []))).Message, "has no rows");
    }

    private static IDataView Scores(MLContext ml, IEnumerable<float> scores)
        => ml.Data.LoadFromEnumerable(scores.Select(s => new ScoreRow { Score = s }).ToList());
}
