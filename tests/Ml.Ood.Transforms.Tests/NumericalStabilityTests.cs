using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>Logits up to 1e4 in magnitude: every head must stay finite and exact (expected values by hand).</summary>
[TestClass]
public sealed class NumericalStabilityTests
{
    private static readonly float[][] Logits =
    [
        [1e4f, -1e4f, 0f],       // one dominant class
        [1e4f, 1e4f, 1e4f],      // three equal huge logits
        [-1e4f, -1e4f, -1e4f],   // three equal very negative logits
    ];

    // Energy, T = 1: -(max + log sum exp(z - max)).
    private static readonly float[] Energy1 = [-1e4f, -(1e4f + MathF.Log(3)), 1e4f - MathF.Log(3)];

    // Energy, T = 0.5: -0.5 * (max / 0.5 + log sum exp((z - max) / 0.5)).
    private static readonly float[] EnergyHalf = [-1e4f, -(1e4f + 0.5f * MathF.Log(3)), 1e4f - 0.5f * MathF.Log(3)];

    private static readonly float[] Msp = [-1f, -1f / 3, -1f / 3];

    private static readonly float[] MaxLogit = [-1e4f, -1e4f, 1e4f];

    [TestMethod]
    public void SpanFunctionsAreStable()
    {
        for (int r = 0; r < Logits.Length; r++)
        {
            AssertClose(Energy1[r], LogitScores.Energy(Logits[r]), $"energy row {r}");
            AssertClose(EnergyHalf[r], LogitScores.Energy(Logits[r], 0.5f), $"energy T=0.5 row {r}");
            AssertClose(Msp[r], LogitScores.MaxSoftmaxProbability(Logits[r]), $"msp row {r}");
            AssertClose(MaxLogit[r], LogitScores.MaxLogit(Logits[r]), $"maxlogit row {r}");
        }
    }

    [TestMethod]
    public void HeadsAreStable()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var model = ml.Ood().Energy("E1", "Logits")
            .Append(ml.Ood().Energy("EHalf", "Logits", temperature: 0.5f))
            .Append(ml.Ood().MaxSoftmaxProbability("Msp", "Logits"))
            .Append(ml.Ood().MaxLogit("MaxLogit", "Logits"))
            .Fit(data);
        var scored = model.Transform(data);
        AssertAllClose(Energy1, scored.GetColumn<float>("E1").ToArray(), "energy");
        AssertAllClose(EnergyHalf, scored.GetColumn<float>("EHalf").ToArray(), "energy T=0.5");
        AssertAllClose(Msp, scored.GetColumn<float>("Msp").ToArray(), "msp");
        AssertAllClose(MaxLogit, scored.GetColumn<float>("MaxLogit").ToArray(), "maxlogit");
    }

    private static void AssertAllClose(float[] expected, float[] actual, string because)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i], actual[i], $"{because} row {i}");
        }
    }

    private static void AssertClose(float expected, float actual, string because)
    {
        Assert.IsTrue(float.IsFinite(actual), $"{because}: {actual} is not finite");
        LogitHeadReference.AssertClose(expected, actual, because);
    }
}
