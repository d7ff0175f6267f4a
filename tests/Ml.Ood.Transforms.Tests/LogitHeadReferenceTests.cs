using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>Every logit head against the independent values of tests/ReferenceVectors/logit_heads.json.</summary>
[TestClass]
public sealed class LogitHeadReferenceTests
{
    private static readonly (float[][] Logits, IReadOnlyList<LogitHeadCase> Cases) Reference = LogitHeadReference.Load();

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> Cases => Reference.Cases.Select((c, i) => new object[] { i, c.ToString() });

    [TestMethod]
    public void ReferenceHasTheFiveCases()
        => CollectionAssert.AreEquivalent(
            new[] { "energy(T=1)", "energy(T=0.5)", "energy(T=1000)", "msp", "maxlogit" },
            Reference.Cases.Select(c => c.ToString()).ToArray());

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void SpanFunctionsMatchReference(int index, string name)
    {
        var c = Reference.Cases[index];
        var block = Reference.Logits.SelectMany(z => z).ToArray();
        var scores = new float[Reference.Logits.Length];
        switch (c.Head)
        {
            case "energy": LogitScores.Energy(block, 10, scores, c.Temperature!.Value); break;
            case "msp": LogitScores.MaxSoftmaxProbability(block, 10, scores); break;
            default: LogitScores.MaxLogit(block, 10, scores); break;
        }
        for (int i = 0; i < scores.Length; i++)
        {
            LogitHeadReference.AssertClose(c.Expected[i], scores[i], $"{name} row {i}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void BatchedHeadMatchesReference(int index, string name)
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Reference.Logits);
        // A block size that does not divide 64 rows exercises the partial last block.
        var model = Estimator(ml, Reference.Cases[index], blockSize: 7).Fit(data);
        AssertMatches(index, HeadHarness.Batched(model, data, "OodScore"), $"{name} batched");
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void PredictionEngineMatchesReference(int index, string name)
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Reference.Logits);
        var model = Estimator(ml, Reference.Cases[index]).Fit(data);
        AssertMatches(index, HeadHarness.PerRow(ml, model, data, Reference.Logits, "OodScore"), $"{name} per row");
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void SavedAndLoadedModelMatchesReference(int index, string name)
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Reference.Logits);
        var model = Estimator(ml, Reference.Cases[index]).Fit(data);
        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"logit-{index}-{Guid.NewGuid():N}.zip");

        var loaded = HeadHarness.SaveAndLoad(ml, model, data.Schema, zip);
        var scored = loaded.Transform(data);
        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["OodScore"].Type, "the loaded score column stays a scalar Single");
        AssertMatches(index, scored.GetColumn<float>("OodScore").ToArray(), $"{name} loaded");
        AssertMatches(index, HeadHarness.PerRow(ml, loaded, data, Reference.Logits, "OodScore"), $"{name} loaded, per row");

        var batchedAgain = ml.Ood().Load(zip, out _);
        Assert.IsInstanceOfType<OodHeadTransformer>(batchedAgain, "the saved head alone loads back as a batched head");
        AssertMatches(index, HeadHarness.Batched(batchedAgain, data, "OodScore"), $"{name} loaded and batched again");
        var resaved = HeadHarness.SaveAndLoad(ml, batchedAgain, data.Schema, zip + ".again.zip");
        AssertMatches(index, HeadHarness.Batched(resaved, data, "OodScore"), $"{name} re-saved after restoring");
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ExportedOnnxRunsInOnnxRuntimeAlone(int index, string name)
    {
        var ml = new MLContext(seed: 1);
        var model = Estimator(ml, Reference.Cases[index]).Fit(LogitsData.Create(ml, Reference.Logits));
        using var onnx = new MemoryStream();
        model.ExportOnnx(onnx);

        using var session = new InferenceSession(onnx.ToArray());
        var input = Reference.Logits.SelectMany(z => z).ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(input, [Reference.Logits.Length, 10]);
        using var outputs = session.Run(new RunOptions(), ["Logits"], [value], ["mlood_score"]);
        AssertMatches(index, outputs[0].GetTensorDataAsSpan<float>().ToArray(), $"{name} exported");
        Assert.AreEqual(Reference.Cases[index].Head, session.ModelMetadata.CustomMetadataMap["mlood.head"]);
    }

    private static OodHeadEstimator Estimator(MLContext ml, LogitHeadCase c, int? blockSize = null) => c.Head switch
    {
        "energy" => ml.Ood().Energy("OodScore", "Logits", c.Temperature!.Value, execution: new() { BlockSize = blockSize }),
        "msp" => ml.Ood().MaxSoftmaxProbability("OodScore", "Logits", execution: new() { BlockSize = blockSize }),
        "maxlogit" => ml.Ood().MaxLogit("OodScore", "Logits", execution: new() { BlockSize = blockSize }),
        _ => throw new ArgumentException(c.Head),
    };

    private static void AssertMatches(int index, float[] actual, string because)
    {
        var expected = Reference.Cases[index].Expected;
        Assert.HasCount(expected.Length, actual, because);
        for (int i = 0; i < actual.Length; i++)
        {
            LogitHeadReference.AssertClose(expected[i], actual[i], $"{because}, row {i}");
        }
    }
}
