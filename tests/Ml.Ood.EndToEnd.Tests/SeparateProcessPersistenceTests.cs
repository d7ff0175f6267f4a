using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;
using Ml.Ood.Transforms;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// docs/ARCHITECTURE.md section 8: a trained pipeline with every head (logit heads, KNN, Mahalanobis, MCM, NegLabel, threshold) gives the same scores batched, per row
/// (PredictionEngine), after loading in a separate process with plain ml.Model.Load, and from the span
/// functions applied to the classifier's own Score column.
/// </summary>
[TestClass]
public sealed class SeparateProcessPersistenceTests
{
    private const double Tolerance = 1e-5;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ScoresAgreeAcrossBatchedPerRowAndAnotherProcess()
    {
        var ml = new MLContext(seed: 1);
        var train = ClassifierPipeline.Load(ml, ClassifierPipeline.Sample(600, seed: 1));
        var testRows = ClassifierPipeline.Sample(150, seed: 2).Concat(ClassifierPipeline.Sample(150, seed: 3, shift: 6)).ToList();
        var test = ClassifierPipeline.Load(ml, testRows);
        var model = ClassifierPipeline.Build(ml, blockSize: 64).Fit(train);

        var scored = model.Transform(test);
        var batched = ClassifierPipeline.ScoreColumns.ToDictionary(c => c, c => scored.GetColumn<float>(c).ToArray());
        var logits = scored.GetColumn<float[]>("Score").ToArray();
        AssertSpanFunctionsAgree(logits, batched);

        bool[] decisions = scored.GetColumn<bool>("IsOod").ToArray();
        var (perRow, perRowDecisions) = PredictRowByRow(ml, model, testRows);
        foreach (string column in ClassifierPipeline.ScoreColumns)
            HeadHarness.AssertAllClose(batched[column], perRow[column], Tolerance, $"{column}: PredictionEngine vs batched");
        CollectionAssert.AreEqual(decisions, perRowDecisions, "IsOod: PredictionEngine vs batched");

        string folder = TestContext.TestRunResultsDirectory ?? Path.GetTempPath();
        string zip = Path.Combine(folder, $"classifier-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, train.Schema, zip);
        var other = ScoreInAnotherProcess(zip, testRows, folder);
        foreach (string column in ClassifierPipeline.ScoreColumns)
        {
            Assert.AreEqual("Single", other[column].Type, $"{column} must load as a scalar Single");
            HeadHarness.AssertAllClose(batched[column], other[column].Scores, Tolerance, $"{column}: other process vs batched");
        }
        Assert.AreEqual("Boolean", other["IsOod"].Type, "the decision must load as a scalar Boolean");
        CollectionAssert.AreEqual(decisions, other["IsOod"].Scores.Select(v => v == 1f).ToArray(), "IsOod: other process vs batched");
        Assert.IsTrue(decisions.Any(d => d) && decisions.Any(d => !d), "the threshold splits the test rows");

        var restored = ml.Ood().Load(zip, out _);
        Assert.AreEqual(ClassifierPipeline.ScoreColumns.Length + 1, ((TransformerChain<ITransformer>)((OodLoadedModel)restored).Model).OfType<OodHeadTransformer>().Count(),
            "every head comes back batched");
        var restoredScores = restored.Transform(test);
        foreach (string column in ClassifierPipeline.ScoreColumns)
            HeadHarness.AssertAllClose(batched[column], restoredScores.GetColumn<float>(column).ToArray(), Tolerance, $"{column}: restored vs batched");
        CollectionAssert.AreEqual(decisions, restoredScores.GetColumn<bool>("IsOod").ToArray(), "IsOod: restored vs batched");
    }

    [TestMethod]
    public void EnergySeparatesAnUnseenClassFromTrainingClasses()
    {
        // A sanity check on real classifier logits, not a reference value: rows of a class the classifier
        // never saw (centred on axis 3) get higher (more OOD) energy than in-distribution rows on average.
        var ml = new MLContext(seed: 1);
        var model = ClassifierPipeline.Build(ml).Fit(ClassifierPipeline.Load(ml, ClassifierPipeline.Sample(600, seed: 1)));
        float MeanEnergy(IEnumerable<FeatureRow> rows)
            => model.Transform(ClassifierPipeline.Load(ml, rows)).GetColumn<float>("EnergyScore").Average();
        float id = MeanEnergy(ClassifierPipeline.Sample(300, seed: 2));
        float ood = MeanEnergy(ClassifierPipeline.Sample(300, seed: 3, classes: [3]));
        Assert.IsLessThan(ood, id, $"mean energy ID {id} vs OOD {ood}");
    }

    [TestMethod]
    [DataRow("McmScore")]
    [DataRow("NegLabelScore")]
    public void VisionLanguageHeadsSeparateAnUnseenClass(string column)
    {
        // A sanity check, not a reference value: rows centred on axis 3 (a negative label, no class) score
        // higher than in-distribution rows on average.
        var ml = new MLContext(seed: 1);
        var model = ClassifierPipeline.Build(ml).Fit(ClassifierPipeline.Load(ml, ClassifierPipeline.Sample(600, seed: 1)));
        float Mean(IEnumerable<FeatureRow> rows) => model.Transform(ClassifierPipeline.Load(ml, rows)).GetColumn<float>(column).Average();
        float id = Mean(ClassifierPipeline.Sample(300, seed: 2));
        float ood = Mean(ClassifierPipeline.Sample(300, seed: 3, classes: [3]));
        Assert.IsLessThan(ood, id, $"mean {column} ID {id} vs OOD {ood}");
    }

    private static void AssertSpanFunctionsAgree(float[][] logits, Dictionary<string, float[]> batched)
    {
        HeadHarness.AssertAllClose(logits.Select(z => LogitScores.Energy(z)).ToArray(), batched["EnergyScore"], Tolerance, "energy vs span");
        HeadHarness.AssertAllClose(logits.Select(z => LogitScores.Energy(z, 2f)).ToArray(), batched["EnergyT2Score"], Tolerance, "energy T=2 vs span");
        HeadHarness.AssertAllClose(logits.Select(z => LogitScores.MaxSoftmaxProbability(z)).ToArray(), batched["MspScore"], Tolerance, "msp vs span");
        HeadHarness.AssertAllClose(logits.Select(z => LogitScores.MaxLogit(z)).ToArray(), batched["MaxLogitScore"], Tolerance, "maxlogit vs span");
    }

    private static (Dictionary<string, float[]>, bool[]) PredictRowByRow(MLContext ml, ITransformer model, List<FeatureRow> rows)
    {
        var input = SchemaDefinition.Create(typeof(FeatureRow));
        input[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ClassifierPipeline.Dimensions);
        using var engine = ml.Model.CreatePredictionEngine<FeatureRow, HeadScores>(model, inputSchemaDefinition: input);
        var predictions = rows.Select(engine.Predict).ToList();
        var scores = new Dictionary<string, float[]>
        {
            ["EnergyScore"] = predictions.Select(p => p.EnergyScore).ToArray(),
            ["EnergyT2Score"] = predictions.Select(p => p.EnergyT2Score).ToArray(),
            ["MspScore"] = predictions.Select(p => p.MspScore).ToArray(),
            ["MaxLogitScore"] = predictions.Select(p => p.MaxLogitScore).ToArray(),
            ["KnnScore"] = predictions.Select(p => p.KnnScore).ToArray(),
            ["MahalanobisScore"] = predictions.Select(p => p.MahalanobisScore).ToArray(),
            ["McmScore"] = predictions.Select(p => p.McmScore).ToArray(),
            ["NegLabelScore"] = predictions.Select(p => p.NegLabelScore).ToArray(),
        };
        return (scores, predictions.Select(p => p.IsOod).ToArray());
    }

    private static Dictionary<string, (string Type, float[] Scores)> ScoreInAnotherProcess(string zip, List<FeatureRow> rows, string folder)
    {
        string features = Path.Combine(folder, $"features-{Guid.NewGuid():N}.bin");
        string output = Path.ChangeExtension(features, ".txt");
        LogitsData.WriteBinary(features, rows.Select(r => r.Features).ToList());

        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "Ml.Ood.LoadCheck.dll"), zip, features, output }.Concat(ClassifierPipeline.ScoreColumns).Append("IsOod"))
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(2)), "the loading process did not finish");
        Assert.AreEqual(0, process.ExitCode, $"the loading process failed: {stderr}");

        var lines = File.ReadAllLines(output);
        var result = new Dictionary<string, (string, float[])>();
        for (int i = 0; i < lines.Length; i += 2)
        {
            var header = lines[i].Split('\t');
            result[header[0]] = (header[1], lines[i + 1].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        }
        return result;
    }

    private sealed class HeadScores
    {
        public float EnergyScore { get; set; }

        public float EnergyT2Score { get; set; }

        public float MspScore { get; set; }

        public float MaxLogitScore { get; set; }

        public float KnnScore { get; set; }

        public float MahalanobisScore { get; set; }

        public float McmScore { get; set; }

        public float NegLabelScore { get; set; }

        public bool IsOod { get; set; }
    }
}
