using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// An AdaNeg head saved with ml.Model.Save scores the reference stream (adaneg_stream.json) bit for bit after
/// ml.Ood().Load in a process of its own (Ml.Ood.LoadCheck --mlood-load), and a plain ml.Model.Load there refuses.
/// </summary>
[TestClass]
public sealed class AdaNegSeparateProcessTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void AdaNegScoresTheSameInAnotherProcessAndPlainLoadRefuses()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("adaneg_stream.json")));
        var root = json.RootElement;
        float[][] Matrix(string name) => [.. root.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray())];
        var rows = Matrix("rows");
        var settings = root.GetProperty("settings");
        float[] expected = [.. root.GetProperty("expected_scores").EnumerateArray().Select(v => (float)v.GetDouble())];

        var ml = new MLContext(seed: 1);
        var view = View(ml, rows);
        using var model = ml.Ood().AdaNeg("AdaNegScore", "Features", Matrix("id_labels"), Matrix("negative_labels"), new AdaNegOptions
        {
            MemoryLength = settings.GetProperty("memory_length").GetInt32(),
            Threshold = settings.GetProperty("thres").GetSingle(),
            Gap = settings.GetProperty("gap").GetSingle(),
            Lambda = settings.GetProperty("lambda_val").GetSingle(),
            Groups = settings.GetProperty("groups").GetInt32(),
            Temperature = settings.GetProperty("tau").GetSingle(),
            UpdateBatch = settings.GetProperty("batch").GetInt32(),
        }).Fit(view);
        float[] here = model.Transform(view).GetColumn<float>("AdaNegScore").ToArray();

        string folder = TestContext.TestRunResultsDirectory ?? Path.GetTempPath();
        string zip = Path.Combine(folder, $"adaneg-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, view.Schema, zip);
        string features = Path.Combine(folder, $"adaneg-stream-{Guid.NewGuid():N}.bin");
        LogitsData.WriteBinary(features, rows);

        var (code, stderr, output) = Run(folder, "--mlood-load", zip, features);
        Assert.AreEqual(0, code, stderr);
        var lines = File.ReadAllLines(output);
        Assert.AreEqual("AdaNegScore\tSingle", lines[0]);
        float[] there = [.. lines[1].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture))];
        CollectionAssert.AreEqual(here, there, "ml.Ood().Load in another process: bit for bit");
        HeadHarness.AssertAllClose(expected, there, 1e-5, "another process vs adaneg_stream.json");

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
        string output = Path.Combine(folder, $"adaneg-scores-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ml.Ood.LoadCheck.dll"));
        if (flag is not null)
        {
            start.ArgumentList.Add(flag);
        }

        foreach (string arg in new[] { zip, features, output, "AdaNegScore" })
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
