using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Temperature scaling with a given T and JointEnergy against the independent values of
/// tests/ReferenceVectors/posthoc_logits.json (numpy; checked against OpenOOD and multi-label-ood), batched in blocks of 7
/// and row by row, plus hand-calculated extremes and the input checks.
/// </summary>
[TestClass]
public sealed class PostHocLogitHeadTests
{
    private static readonly JsonDocument Reference = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("posthoc_logits.json")));

    [TestMethod]
    [DataRow("given")]
    [DataRow("fitted")]
    public void TemperatureScalingMatchesTheReference(string how)
    {
        // The "fitted" case's T is given here: the fit itself is Ml.Ood.Trainers' (TemperatureScalingFitTests).
        var c = Case("temperature_scaling", how);
        float temperature = (float)c.GetProperty("temperature").GetDouble();
        var logits = Matrix("logits");
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, logits);
        var model = ml.Ood().TemperatureScaling("Ts", "Logits", temperature, execution: new() { BlockSize = 7 }).Fit(data);
        AssertMatches(Scores(c), HeadHarness.Batched(model, data, "Ts"), $"temperature scaling ({how}) batched");
        AssertMatches(Scores(c), HeadHarness.PerRow(ml, model, data, logits, "Ts"), $"temperature scaling ({how}) per row");
        Assert.AreEqual(new TemperatureScalingSettings(temperature), model.GetSettings<TemperatureScalingSettings>());
        Assert.AreEqual("temperature_scaling", model.Head.Kind);
    }

    [TestMethod]
    public void JointEnergyMatchesTheReference()
    {
        var c = Case("joint_energy");
        Assert.AreEqual("multi_label_logits", c.GetProperty("logits").GetString());
        var logits = Matrix("multi_label_logits");
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, logits);
        var model = ml.Ood().JointEnergy("Je", "Logits", execution: new() { BlockSize = 7 }).Fit(data);
        AssertMatches(Scores(c), HeadHarness.Batched(model, data, "Je"), "JointEnergy batched");
        AssertMatches(Scores(c), HeadHarness.PerRow(ml, model, data, logits, "Je"), "JointEnergy per row");
        Assert.AreEqual(new JointEnergySettings(), model.GetSettings<JointEnergySettings>());
    }

    [TestMethod]
    public void JointEnergyHandlesExtremeLogits()
    {
        float[][] logits = [[100f, -100f, 0f, 30f], [1e30f, -1e30f, 0f, 0f], [-200f, -200f, -200f, -200f], [88f, 89f, 90f, -5f]];
        // By hand, log(1 + e^z) = max(z, 0) + log(1 + e^-|z|):
        double[] expected =
        [
            -(100 + Math.Log(2) + 30 + Math.Log(1 + Math.Exp(-30))),
            -(1e30 + 2 * Math.Log(2)),
            -4 * Math.Exp(-200),
            -(88 + 89 + 90 + Math.Log(1 + Math.Exp(-5))),
        ];
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, logits);
        var model = ml.Ood().JointEnergy("Je", "Logits").Fit(data);
        AssertMatches(expected, HeadHarness.Batched(model, data, "Je"), "JointEnergy on extreme logits");
    }

    [TestMethod]
    public void JointEnergyRefusesSigmoidProbabilities()
    {
        // Per-label sigmoid outputs: all in [0, 1], summing to anything; the softmax heads' check would let them pass.
        float[][] probabilities = [[0.9f, 0.8f, 0.05f], [0.1f, 0.3f, 0.99f]];
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, probabilities);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().JointEnergy("Je", "Logits").Fit(data));
        Assert.AreEqual(OodErrors.Format(OodErrors.SigmoidProbabilitiesNotLogits, "Logits", "JointEnergy", 2), error.Message);
        StringAssert.StartsWith(error.Message, "The JointEnergy head reads column 'Logits', whose first 2 rows hold only values in [0, 1]");
        StringAssert.Contains(error.Message, "pass allowProbabilities: true");

        var scores = ml.Ood().JointEnergy("Je", "Logits", allowProbabilities: true).Fit(data).Transform(data).GetColumn<float>("Je").ToArray();
        Assert.AreEqual(-(Math.Log(1 + Math.Exp(0.9)) + Math.Log(1 + Math.Exp(0.8)) + Math.Log(1 + Math.Exp(0.05))), scores[0], 1e-5);

        // One logit outside [0, 1] in the first rows is enough to show logits.
        ml.Ood().JointEnergy("Je", "Logits").Fit(LogitsData.Create(ml, [[0.9f, 0.8f, 0.05f], [0.1f, -2f, 0.99f]]));
    }

    [TestMethod]
    public void TemperatureScalingRefusesSoftmaxProbabilities()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, [[0.7f, 0.2f, 0.1f], [0.05f, 0.9f, 0.05f]]);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().TemperatureScaling("Ts", "Logits", 2f).Fit(data));
        Assert.AreEqual(OodErrors.Format(OodErrors.ProbabilitiesNotLogits, "Logits", "temperature scaling", 2), error.Message);
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(-1.5f)]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    public void TemperatureMustBePositiveAndFinite(float temperature)
        => Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Ood().TemperatureScaling("Ts", "Logits", temperature));

    private static JsonElement Case(string head, string? how = null)
        => Reference.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("head").GetString() == head && (how is null || c.GetProperty("how").GetString() == how));

    private static double[] Scores(JsonElement c) => c.GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static float[][] Matrix(string name)
        => Reference.RootElement.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    private static void AssertMatches(double[] expected, float[] actual, string because)
    {
        Assert.HasCount(expected.Length, actual, because);
        for (int i = 0; i < actual.Length; i++)
        {
            LogitHeadReference.AssertClose(expected[i], actual[i], $"{because}, row {i}");
        }
    }
}
