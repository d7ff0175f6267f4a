using System.Text.Json;
using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// OODD with a vision-language s_id (MCM and NegLabel), saved with ml.Model.Save, scores the reference stream
/// (oodd_vl_stream.json) bit for bit after ml.Ood().Load in a process of its own (Ml.Ood.LoadCheck --mlood-load), and a
/// plain ml.Model.Load there refuses.
/// </summary>
[TestClass]
public sealed class OoddVisionLanguageSeparateProcessTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("mcm")]
    [DataRow("neglabel")]
    public void OoddVisionLanguageScoresTheSameInAnotherProcessAndPlainLoadRefuses(string confidence)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("oodd_vl_stream.json")));
        var root = json.RootElement;
        float[][] Matrix(string name) => [.. root.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray())];
        var rows = Matrix("rows");
        var c = root.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("confidence").GetString() == confidence);
        float[] expected = [.. c.GetProperty("expected_scores").EnumerateArray().Select(v => (float)v.GetDouble())];
        bool negatives = confidence == "neglabel";

        var ml = new MLContext(seed: 1);
        using var model = ml.Ood().OoddVisionLanguage(new OoddVisionLanguageOptions
        {
            OutputColumnName = "OoddVlScore",
            ImageColumnName = "Features",
            IdLabelEmbeddings = Matrix("id_labels"),
            NegativeLabelEmbeddings = negatives ? Matrix("negative_labels") : null,
            Confidence = negatives ? OoddConfidence.NegativeLabels : OoddConfidence.Mcm,
            Temperature = c.GetProperty("temperature").GetSingle(),
            Groups = c.GetProperty("groups").GetInt32(),
            K2 = c.GetProperty("k2").GetInt32(),
            Capacity = c.GetProperty("capacity").GetInt32(),
            UpdateBatch = c.GetProperty("batch").GetInt32(),
        }).Fit(TestTimeInAnotherProcess.View(ml, rows));
        TestTimeInAnotherProcess.AssertScoresAlikeAndPlainLoadRefuses(TestContext, ml, model, rows, "OoddVlScore", expected, "oodd_vl_stream.json");
    }
}
