using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
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
        var trainView = View(ml, train);
        using var model = ml.Ood().Oodd(new OoddOptions
        {
            FeatureColumnName = "Features",
            Alpha = 1,
            K1 = c.GetProperty("K1").GetInt32(),
            K2 = c.GetProperty("K2").GetInt32(),
            Capacity = c.GetProperty("capacity").GetInt32(),
            UpdateBatch = c.GetProperty("batch").GetInt32(),
        }).Fit(trainView);
        float[] here = model.Transform(View(ml, stream)).GetColumn<float>("OoddScore").ToArray();

        string folder = TestContext.TestRunResultsDirectory ?? Path.GetTempPath();
        string zip = Path.Combine(folder, $"oodd-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, trainView.Schema, zip);
        string features = Path.Combine(folder, $"oodd-stream-{Guid.NewGuid():N}.bin");
        LogitsData.WriteBinary(features, stream);

        var (code, stderr, output) = Run(folder, "--mlood-load", zip, features);
        Assert.AreEqual(0, code, stderr);
        var lines = File.ReadAllLines(output);
        Assert.AreEqual("OoddScore\tSingle", lines[0]);
        float[] there = [.. lines[1].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture))];
        CollectionAssert.AreEqual(here, there, "ml.Ood().Load in another process: bit for bit");
        HeadHarness.AssertAllClose([.. expected.Select(v => (float)v)], there, 1e-5, "another process vs oodd.json");

        var (plainCode, plainError, _) = Run(folder, null, zip, features);
        Assert.AreNotEqual(0, plainCode, "plain ml.Model.Load must not score a test-time head");
        StringAssert.Contains(plainError, "ml.Ood().Load");
    }

    private static IDataView View(MLContext ml, float[][] rows)
    {
        var definition = SchemaDefinition.Create(typeof(FeatureOnly));
        definition[nameof(FeatureOnly.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Length);
        return ml.Data.LoadFromEnumerable(rows.Select(r => new FeatureOnly { Features = r }).ToList(), definition);
    }

    private static (int Code, string Stderr, string Output) Run(string folder, string? flag, string zip, string features)
    {
        string output = Path.Combine(folder, $"oodd-scores-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ml.Ood.LoadCheck.dll"));
        if (flag is not null)
        {
            start.ArgumentList.Add(flag);
        }

        foreach (string arg in new[] { zip, features, output, "OoddScore" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(2)), "the loading process did not finish");
        return (process.ExitCode, stderr, output);
    }

    private sealed class FeatureOnly
    {
        public float[] Features { get; set; } = [];
    }
}
