using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// Issue 14: a pipeline with the batched ONNX encoder (the sample LeNet) and a head, saved, gives the same embeddings,
/// logits and scores in a separate process, loaded with plain ml.Model.Load (ML.NET's ApplyOnnxModel) and with
/// ml.Ood().Load (the batched encoder).
/// </summary>
[TestClass]
public sealed class EncoderSeparateProcessTests
{
    private const double Tolerance = 1e-5;
    private const int Pixels = 28 * 28;
    private static readonly string[] Columns = ["embedding", "logits", "Energy"];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void AnotherProcessGetsTheSameEmbeddingsLogitsAndScores(bool oodLoad)
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(11);
        var images = Enumerable.Range(0, 70).Select(_ => Enumerable.Range(0, Pixels)
            .Select(_ => random.NextDouble() < 0.75 ? 0f : (float)random.Next(1, 256)).ToArray()).ToList();
        var definition = SchemaDefinition.Create(typeof(FeatureRow));
        definition[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Pixels);
        var data = ml.Data.LoadFromEnumerable(images.Select(i => new FeatureRow { Features = i }), definition);
        string encoder = Path.Combine(RepositoryPaths.Root, "samples", "encoder", "mnist_lenet.onnx");
        var model = ml.Transforms.CopyColumns("input", nameof(FeatureRow.Features))
            .Append(ml.Ood().ApplyOnnxEncoder(["embedding", "logits"], ["input"], encoder, new OodExecutionOptions { BlockSize = 32 }))
            .Append(ml.Ood().Energy("Energy", "logits"))
            .Fit(data);
        var scored = model.Transform(data);
        var here = new Dictionary<string, float[]>
        {
            ["embedding"] = [.. scored.GetColumn<float[]>("embedding").SelectMany(v => v)],
            ["logits"] = [.. scored.GetColumn<float[]>("logits").SelectMany(v => v)],
            ["Energy"] = [.. scored.GetColumn<float>("Energy")],
        };

        string folder = TestContext.TestRunResultsDirectory ?? Path.GetTempPath();
        string zip = Path.Combine(folder, $"encoder-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, zip);
        var there = ScoreInAnotherProcess(zip, images, folder, oodLoad);
        foreach (string column in Columns)
        {
            Assert.AreEqual(column == "Energy" ? "Single" : column == "logits" ? "Vector<Single, 1, 10>" : "Vector<Single, 1, 128>", there[column].Type, column);
            HeadHarness.AssertAllClose(here[column], there[column].Values, Tolerance, $"{column}: fitting process vs a process that loaded the .zip");
        }
    }

    private static Dictionary<string, (string Type, float[] Values)> ScoreInAnotherProcess(string zip, List<float[]> rows, string folder, bool oodLoad)
    {
        string features = Path.Combine(folder, $"images-{Guid.NewGuid():N}.bin");
        string output = Path.ChangeExtension(features, ".txt");
        LogitsData.WriteBinary(features, rows);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ml.Ood.LoadCheck.dll"));
        if (oodLoad)
        {
            start.ArgumentList.Add("--mlood-load");
        }

        foreach (string arg in new[] { zip, features, output }.Concat(Columns))
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
