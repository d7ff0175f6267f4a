using System.Text.Json;
using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// An AdaNeg head saved with ml.Model.Save scores the reference streams (adaneg_stream.json, and with samada
/// adaneg_samada_stream.json) bit for bit after
/// ml.Ood().Load in a process of its own (Ml.Ood.LoadCheck --mlood-load), and a plain ml.Model.Load there refuses.
/// </summary>
[TestClass]
public sealed class AdaNegSeparateProcessTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("adaneg_stream.json")]
    [DataRow("adaneg_samada_stream.json")]
    public void AdaNegScoresTheSameInAnotherProcessAndPlainLoadRefuses(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector(file)));
        var root = json.RootElement;
        float[][] Matrix(string name) => [.. root.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray())];
        var rows = Matrix("rows");
        var settings = root.GetProperty("settings");
        float[] expected = [.. root.GetProperty("expected_scores").EnumerateArray().Select(v => (float)v.GetDouble())];

        var ml = new MLContext(seed: 1);
        var view = TestTimeInAnotherProcess.View(ml, rows);
        using var model = ml.Ood().AdaNeg("AdaNegScore", "Features", Matrix("id_labels"), Matrix("negative_labels"), new AdaNegOptions
        {
            MemoryLength = settings.GetProperty("memory_length").GetInt32(),
            Threshold = settings.GetProperty("thres").GetSingle(),
            Gap = settings.GetProperty("gap").GetSingle(),
            Lambda = settings.GetProperty("lambda_val").GetSingle(),
            Groups = settings.GetProperty("groups").GetInt32(),
            Temperature = settings.GetProperty("tau").GetSingle(),
            UpdateBatch = settings.GetProperty("batch").GetInt32(),
            SampleAdaptiveBeta = settings.TryGetProperty("samada", out var beta) ? beta.GetInt32() : null,
        }).Fit(view);
        TestTimeInAnotherProcess.AssertScoresAlikeAndPlainLoadRefuses(TestContext, ml, model, rows, "AdaNegScore", expected, file);
    }
}
