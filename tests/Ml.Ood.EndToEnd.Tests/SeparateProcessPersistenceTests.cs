using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// docs/ARCHITECTURE.md section 8: a trained pipeline with every head of <see cref="HeadCatalogue"/> gives the same scores
/// batched, per row (PredictionEngine), after loading in a separate process with plain ml.Model.Load and after
/// ml.Ood().Load, and, for the logit heads, from the span functions applied to the classifier's own Score column.
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
        var batched = HeadCatalogue.All.ToDictionary(h => h.Column, h => Read(scored, h));
        var logits = scored.GetColumn<float[]>("Score").ToArray();
        AssertSpanFunctionsAgree(logits, batched);

        var perRow = PredictRowByRow(ml, model, testRows);
        foreach (var head in HeadCatalogue.All)
        {
            AssertAgree(head, batched[head.Column], perRow[head.Column], "PredictionEngine vs batched");
        }

        foreach (var decision in HeadCatalogue.Decisions)
        {
            Assert.IsTrue(batched[decision.Column].Contains(1f) && batched[decision.Column].Contains(0f), $"{decision}: the decision splits the test rows");
        }

        string folder = TestContext.TestRunResultsDirectory ?? Path.GetTempPath();
        string zip = Path.Combine(folder, $"classifier-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, train.Schema, zip);
        var other = ScoreInAnotherProcess(zip, testRows, folder);
        foreach (var head in HeadCatalogue.All)
        {
            Assert.AreEqual(head.IsDecision ? "Boolean" : "Single", other[head.Column].Type, $"{head} must load as a scalar {(head.IsDecision ? "Boolean" : "Single")}");
            AssertAgree(head, batched[head.Column], other[head.Column].Scores, "other process vs batched");
        }

        var restored = ml.Ood().Load(zip, out _);
        Assert.AreEqual(HeadCatalogue.All.Count, ((TransformerChain<ITransformer>)((OodLoadedModel)restored).Model).OfType<OodHeadTransformer>().Count(),
            "every head comes back batched");
        var restoredScores = restored.Transform(test);
        foreach (var head in HeadCatalogue.All)
        {
            AssertAgree(head, batched[head.Column], Read(restoredScores, head), "restored vs batched");
        }
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

    /// <summary>A head's column, a decision as 1 (OOD) or 0.</summary>
    private static float[] Read(IDataView scored, CataloguedHead head)
        => head.IsDecision
            ? scored.GetColumn<bool>(head.Column).Select(d => d ? 1f : 0f).ToArray()
            : scored.GetColumn<float>(head.Column).ToArray();

    /// <summary>Scores within <see cref="Tolerance"/>; decisions exactly.</summary>
    private static void AssertAgree(CataloguedHead head, float[] expected, float[] actual, string what)
    {
        if (head.IsDecision)
        {
            CollectionAssert.AreEqual(expected, actual, $"{head}: {what}");
        }
        else
        {
            HeadHarness.AssertAllClose(expected, actual, Tolerance, $"{head}: {what}");
        }
    }

    private static Dictionary<string, float[]> PredictRowByRow(MLContext ml, ITransformer model, List<FeatureRow> rows)
    {
        var options = CatalogueRow.Options();
        options.InputSchemaDefinition = SchemaDefinition.Create(typeof(FeatureRow));
        options.InputSchemaDefinition[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, ClassifierPipeline.Dimensions);
        using var engine = ml.Model.CreatePredictionEngine<FeatureRow, CatalogueRow>(model, options);
        var values = rows.Select(r => engine.Predict(r).Values()).ToList();
        return HeadCatalogue.All.Select((head, i) => (head.Column, Values: values.Select(v => v[i]).ToArray())).ToDictionary(p => p.Column, p => p.Values);
    }

    private static Dictionary<string, (string Type, float[] Scores)> ScoreInAnotherProcess(string zip, List<FeatureRow> rows, string folder)
    {
        string features = Path.Combine(folder, $"features-{Guid.NewGuid():N}.bin");
        string output = Path.ChangeExtension(features, ".txt");
        LogitsData.WriteBinary(features, rows.Select(r => r.Features).ToList());

        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "Ml.Ood.LoadCheck.dll"), zip, features, output }.Concat(HeadCatalogue.All.Select(h => h.Column)))
        {
            start.ArgumentList.Add(arg);
        }

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
}
