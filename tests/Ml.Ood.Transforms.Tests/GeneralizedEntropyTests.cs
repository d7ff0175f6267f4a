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

    /// <summary>
    /// A confident row: p_max = 1 - 9e-13 is 1f, so a float 1 - p would drop the top class's term (1 - p_max)^g, the
    /// largest of the sum (the quick start's LeNet scored 0.165 off). Expected values in double, by hand.
    /// </summary>
    [TestMethod]
    [DataRow(30f, 100)]
    [DataRow(30f, 1)]
    [DataRow(50f, 3)]
    public void AConfidentRowKeepsTheTopClassTerm(float margin, int m)
    {
        const int Classes = 10;
        const double Gamma = 0.1;
        float[] row = [margin, .. Enumerable.Repeat(0f, Classes - 1)];
        double others = Math.Exp(-margin), total = 1 + (Classes - 1) * others;
        double pTop = 1 / total, pOther = others / total, topMass = (Classes - 1) * pOther;
        double expected = Math.Pow(pTop, Gamma) * Math.Pow(topMass, Gamma)
            + (Math.Min(m, Classes) - 1) * Math.Pow(pOther, Gamma) * Math.Pow(1 - pOther, Gamma);

        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, [row, row]);
        var model = ml.Ood().GeneralizedEntropy("Gen", "Logits", (float)Gamma, m).Fit(data);
        foreach (float score in HeadHarness.Batched(model, data, "Gen").Concat(HeadHarness.PerRow(ml, model, data, [row], "Gen")))
        {
            LogitHeadReference.AssertClose(expected, score, $"GEN(M={m}) of a row with margin {margin}");
        }
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(1f)]
    [DataRow(float.NaN)]
    public void GammaOutsideTheOpenUnitIntervalIsRefused(float gamma)
        => Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Ood().GeneralizedEntropy("Gen", "Logits", gamma));
}
