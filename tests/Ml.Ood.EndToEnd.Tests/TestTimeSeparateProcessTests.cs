using System.Text.Json;
using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// docs/TEST-TIME-HEADS.md section 3 in another process: an OODD head saved with ml.Model.Save scores the reference
/// stream (oodd.json) the same after ml.Ood().Load in a process of its own, and a plain ml.Model.Load there refuses at
/// the first row. (Test-time heads are not in HeadCatalogue: they have no PredictionEngine and no ONNX export.)
/// </summary>
[TestClass]
public sealed class TestTimeSeparateProcessTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void OoddScoresTheSameInAnotherProcessAndPlainLoadRefuses()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("oodd.json")));
        var root = json.RootElement;
        float[][] Matrix(string name) => [.. root.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray())];
        var train = Matrix("train_features");
        var stream = Matrix("stream");
        var c = root.GetProperty("cases").EnumerateArray().First(x => x.GetProperty("alpha").GetDouble() == 1.0);
        double[] expected = [.. c.GetProperty("score").EnumerateArray().Select(v => v.GetDouble())];

        var ml = new MLContext(seed: 1);
        var trainView = TestTimeInAnotherProcess.View(ml, train);
        using var model = ml.Ood().Oodd(new OoddOptions
        {
            FeatureColumnName = "Features",
            Alpha = 1,
            K1 = c.GetProperty("K1").GetInt32(),
            K2 = c.GetProperty("K2").GetInt32(),
            Capacity = c.GetProperty("capacity").GetInt32(),
            UpdateBatch = c.GetProperty("batch").GetInt32(),
        }).Fit(trainView);
        TestTimeInAnotherProcess.AssertScoresAlikeAndPlainLoadRefuses(TestContext, ml, model, stream, "OoddScore",
            [.. expected.Select(v => (float)v)], "oodd.json");
    }
}
