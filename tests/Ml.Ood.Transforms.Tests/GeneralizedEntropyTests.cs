using System.Text.Json;
using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>GEN against the independent values of tests/ReferenceVectors/posthoc_logits.json (numpy; checked against OpenOOD).</summary>
[TestClass]
public sealed class GeneralizedEntropyTests
{
    [TestMethod]
    [DataRow(0.1f, 100)]
    [DataRow(0.5f, 5)]
    public void ScoresMatchTheReference(float gamma, int m)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("posthoc_logits.json")));
        var logits = json.RootElement.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var expected = json.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("head").GetString() == "gen" && c.GetProperty("M").GetInt32() == m)
            .GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, logits);
        var model = ml.Ood().GeneralizedEntropy("Gen", "Logits", gamma, m, execution: new() { BlockSize = 7 }).Fit(data);
        var batched = HeadHarness.Batched(model, data, "Gen");
        var perRow = HeadHarness.PerRow(ml, model, data, logits, "Gen");
        for (int i = 0; i < logits.Length; i++)
        {
            LogitHeadReference.AssertClose(expected[i], batched[i], $"GEN(g={gamma}, M={m}) batched row {i}");
            LogitHeadReference.AssertClose(expected[i], perRow[i], $"GEN(g={gamma}, M={m}) per row {i}");
        }
        Assert.AreEqual(new GeneralizedEntropySettings(gamma, m), model.GetSettings<GeneralizedEntropySettings>());
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(1f)]
    [DataRow(float.NaN)]
    public void GammaOutsideTheOpenUnitIntervalIsRefused(float gamma)
        => Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Ood().GeneralizedEntropy("Gen", "Logits", gamma));
}
