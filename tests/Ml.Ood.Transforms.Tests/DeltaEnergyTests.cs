using System.Text.Json;
using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Delta-Energy against tests/ReferenceVectors/delta_energy.json (numpy), which gives cosines, not embeddings: the text
/// embeddings here are the first 8 axes of a 9-d space and each image embedding is the row's cosines plus a 9th component
/// that makes it a unit vector, so that its cosine with class i is the vectors' cos_i. Plus hand-calculated options.
/// </summary>
[TestClass]
public sealed class DeltaEnergyTests
{
    private static readonly JsonDocument Reference = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("delta_energy.json")));

    public static IEnumerable<object[]> Cases => Reference.RootElement.GetProperty("cases").EnumerateArray()
        .Select((c, i) => new object[] { i, c.GetProperty("temperature").GetDouble() });

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ScoresMatchTheReference(int index, double temperature)
    {
        var c = Reference.RootElement.GetProperty("cases")[index];
        Assert.AreEqual("delta_energy", c.GetProperty("head").GetString());
        float lowered = (float)c.GetProperty("lowered_to").GetDouble();
        int top = c.GetProperty("top").GetInt32();
        var expected = c.GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var cosines = Reference.RootElement.GetProperty("cosine").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        int classes = cosines[0].Length;
        var text = Enumerable.Range(0, classes).Select(i => Axis(i, classes + 1)).ToArray();
        var images = cosines.Select(row => row.Select(v => (float)v).Append((float)Math.Sqrt(1 - row.Sum(v => v * v))).ToArray()).ToArray();

        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, images);
        var model = ml.Ood().DeltaEnergy("Delta", "Embedding", text, (float)temperature, lowered, top, execution: new() { BlockSize = 7 }).Fit(data);
        AssertMatches(expected, HeadHarness.Batched(model, data, "Delta"), $"Delta-Energy(tau={temperature}) batched");
        AssertMatches(expected, ImageEmbeddings.PerRow(ml, model, data, images, "Delta"), $"Delta-Energy(tau={temperature}) per row");
        Assert.AreEqual(new DeltaEnergySettings((float)temperature, classes, lowered, top), model.GetSettings<DeltaEnergySettings>());
    }

    [TestMethod]
    public void TheOptionsLowerAsDocumented()
    {
        // Cosines (0.6, 0.8, 0) with classes on the axes; tau = 0.5, so s = (1.2, 1.6, 0).
        float[][] text = [Axis(0, 3), Axis(1, 3), Axis(2, 3)];
        float[][] image = [[0.6f, 0.8f, 0f]];
        static double Lse(params double[] s) => Math.Log(s.Sum(Math.Exp));
        double full = Lse(1.2, 1.6, 0);
        (int Count, float Cosine, double Expected)[] cases =
        [
            (1, 0f, -(full - Lse(1.2, 0, 0))),          // the paper's reading: the largest cosine to 0
            (2, 0f, -(full - Lse(0, 0, 0))),            // the two largest to 0
            (1, -0.5f, -(full - Lse(1.2, -1, 0))),      // the largest to -0.5, s' = -0.5 / 0.5
            (3, 0.25f, -(full - Lse(0.5, 0.5, 0.5))),   // every cosine to 0.25
        ];
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, image);
        foreach (var (count, cosine, expected) in cases)
        {
            var model = ml.Ood().DeltaEnergy("Delta", "Embedding", text, 0.5f, cosine, count).Fit(data);
            AssertMatches([expected], HeadHarness.Batched(model, data, "Delta"), $"lowering {count} to {cosine}");
        }
    }

    [TestMethod]
    public void TiedLargestCosinesLowerOneEntry()
    {
        // Cosines (0.5, 0.5, 0.1): only one of the tied maxima is lowered. tau = 1.
        float[][] text = [Axis(0, 4), Axis(1, 4), Axis(2, 4)];
        float[][] image = [[0.5f, 0.5f, 0.1f, (float)Math.Sqrt(1 - 0.51)]];
        double expected = -(Math.Log(2 * Math.Exp(0.5) + Math.Exp(0.1)) - Math.Log(1 + Math.Exp(0.5) + Math.Exp(0.1)));
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, image);
        var model = ml.Ood().DeltaEnergy("Delta", "Embedding", text, 1f).Fit(data);
        AssertMatches([expected], HeadHarness.Batched(model, data, "Delta"), "tied maxima");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(4)]
    public void TheLoweredCountMustBeAClassCount(int count)
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => new MLContext().Ood().DeltaEnergy("Delta", "Embedding", [Axis(0, 3), Axis(1, 3), Axis(2, 3)], loweredCount: count));
        StringAssert.StartsWith(error.Message, OodErrors.Format(OodErrors.LoweredCountOutOfRange, 3));
        Assert.AreEqual("loweredCount", error.ParamName);
    }

    [TestMethod]
    [DataRow(1.5f)]
    [DataRow(-1.01f)]
    [DataRow(float.NaN)]
    public void TheLoweredValueMustBeACosine(float cosine)
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => new MLContext().Ood().DeltaEnergy("Delta", "Embedding", [Axis(0, 3), Axis(1, 3)], loweredCosine: cosine));
        StringAssert.StartsWith(error.Message, OodErrors.LoweredCosineOutOfRange);
    }

    [TestMethod]
    public void TheTemperatureMustBePositive()
        => Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().Ood().DeltaEnergy("Delta", "Embedding", [Axis(0, 3)], temperature: 0f));

    private static float[] Axis(int axis, int width)
    {
        var vector = new float[width];
        vector[axis] = 1;
        return vector;
    }

    private static void AssertMatches(double[] expected, float[] actual, string because)
    {
        Assert.HasCount(expected.Length, actual, because);
        for (int i = 0; i < actual.Length; i++)
        {
            LogitHeadReference.AssertClose(expected[i], actual[i], $"{because}, row {i}");
        }
    }
}
