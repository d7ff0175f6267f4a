using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>MCM and NegLabel on hand-computed cases: grouping with a remainder, the shuffle, extreme temperatures, bad input.</summary>
[TestClass]
public sealed class NegativeLabelHeadTests
{
    private static readonly float[][] OneClass = [[1, 0]];

    [TestMethod]
    public void GroupingDropsTheRemainderAndAveragesTheGroups()
    {
        // Image (1, 0), class (1, 0): s = 1. Negatives (0, 1), (-1, 0) and a third, (1, 0), that the remainder
        // rule (3 mod 2 = 1) drops. Groups {(0,1)}: S = e / (e + 1); {(-1,0)}: S = e / (e + 1/e). tau = 1.
        var ml = new MLContext(seed: 1);
        var model = ml.Ood().NegativeLabels("S", "Embedding", OneClass, [[0, 1], [-1, 0], [1, 0]], temperature: 1f, groups: 2)
            .Fit(ImageEmbeddings.Create(ml, [[3, 0]]));
        double e = Math.E;
        double expected = -(e / (e + 1) + e / (e + 1 / e)) / 2;
        Assert.AreEqual(expected, HeadHarness.Batched(model, ImageEmbeddings.Create(ml, [[3, 0]]), "S")[0], 1e-6);
        Assert.AreEqual("2", model.Head.Parameters["negative_labels"], "the head records how many negatives it uses");
    }

    [TestMethod]
    public void ExtremeTemperaturesStayFinite()
    {
        // tau = 0.01: an image on a negative label has s~ = 1 and s = -1, so S = e^-100 / (e^-100 + e^100) = e^-200,
        // 0 in float; on the class, S = e^100 / (e^100 + e^-100) = 1 - e^-200 = 1. A zero image has every cosine 0:
        // MCM gives -1/K, NegLabel K / (K + M).
        var ml = new MLContext(seed: 1);
        float[][] classes = [[1, 0], [0, 1]];
        float[][] negatives = [[-1, 0], [0, -1], [-0.6f, -0.8f]];
        var data = ImageEmbeddings.Create(ml, [[-5, 0], [1, 0], [0, 0]]);

        var negLabel = HeadHarness.Batched(ml.Ood().NegativeLabels("S", "Embedding", classes, negatives, 0.01f).Fit(data), data, "S");
        Assert.AreEqual(0.0, negLabel[0], 1e-30, "on a negative label");
        Assert.AreEqual(-1.0, negLabel[1], 1e-6, "on a class");
        Assert.AreEqual(-2.0 / 5, negLabel[2], 1e-6, "zero image");

        var mcm = HeadHarness.Batched(ml.Ood().MaximumConceptMatching("S", "Embedding", classes, 0.001f).Fit(data), data, "S");
        Assert.AreEqual(-1.0 / (1 + Math.Exp(-1000)), mcm[1], 1e-6, "logits 1000 and 0");
        Assert.AreEqual(-1.0, mcm[0], 1e-6, "(-1, 0): logits -1000 and 0, max softmax 1 / (1 + e^-1000)");
        Assert.AreEqual(-0.5, mcm[2], 1e-6, "zero image: uniform softmax");
    }

    [TestMethod]
    public void ShuffleIsSeededAndOnlyRegroups()
    {
        var order = LabelEmbeddings.GroupOrder(10, 3, shuffleSeed: null);
        CollectionAssert.AreEqual(Enumerable.Range(0, 9).ToArray(), order, "no seed: the given order, remainder dropped");
        var shuffled = LabelEmbeddings.GroupOrder(10, 3, shuffleSeed: 5);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 9).ToArray(), shuffled, "a permutation of the kept negatives");
        CollectionAssert.AreEqual(shuffled, LabelEmbeddings.GroupOrder(10, 3, shuffleSeed: 5), "the same seed, the same order");
        CollectionAssert.AreNotEqual(order, shuffled);

        // The shuffled head equals the unshuffled head over the negatives in the shuffled order.
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        float[][] Vectors(int n) => Enumerable.Range(0, n).Select(_ => new[] { (float)random.NextDouble() - 0.5f, (float)random.NextDouble() - 0.5f, 1f }).ToArray();
        var classes = Vectors(3);
        var negatives = Vectors(10);
        var data = ImageEmbeddings.Create(ml, Vectors(20));
        var withSeed = ml.Ood().NegativeLabels("S", "Embedding", classes, negatives, 0.1f, groups: 3, shuffleSeed: 5).Fit(data);
        var reordered = ml.Ood().NegativeLabels("S", "Embedding", classes, shuffled.Select(i => negatives[i]).ToArray(), 0.1f, groups: 3).Fit(data);
        Assert.AreEqual("5", withSeed.Head.Parameters["shuffle_seed"]);
        HeadHarness.AssertAllClose(HeadHarness.Batched(reordered, data, "S"), HeadHarness.Batched(withSeed, data, "S"), 1e-7, "shuffled vs reordered");
    }

    [TestMethod]
    public void LabelEmbeddingsAreCopiedAtCreation()
    {
        var ml = new MLContext(seed: 1);
        float[][] classes = [[1, 0], [0, 1]];
        var estimator = ml.Ood().MaximumConceptMatching("S", "Embedding", classes);
        classes[0][0] = float.NaN;
        var score = HeadHarness.Batched(estimator.Fit(ImageEmbeddings.Create(ml, [[1, 0]])), ImageEmbeddings.Create(ml, [[1, 0]]), "S")[0];
        Assert.AreEqual(-Math.E / (Math.E + 1), score, 1e-6, "a change to the caller's array after creation does not reach the head");
    }

    [TestMethod]
    public void ImageAndTextOfDifferentWidthsNameTheColumn()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, [[1, 0, 0]]);
        const string message = "Schema mismatch for input column 'Embedding': expected vector of Single of size 2 (the width of the label embeddings), got Vector<Single, 3>";
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().MaximumConceptMatching("S", "Embedding", OneClass).Fit(data)).Message, message);
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().NegativeLabels("S", "Embedding", OneClass, [[0, 1]]).Fit(data)).Message, message);
    }

    [TestMethod]
    public void BadLabelEmbeddingsGiveClearErrors()
    {
        var ml = new MLContext(seed: 1);
        void Throws(Action create, string message, string parameter)
        {
            var error = Assert.ThrowsExactly<ArgumentException>(create);
            StringAssert.StartsWith(error.Message, message);
            Assert.AreEqual(parameter, error.ParamName);
        }

        Throws(() => ml.Ood().MaximumConceptMatching("S", "E", []), "The ID label embeddings are empty", "idLabelEmbeddings");
        Throws(() => ml.Ood().NegativeLabels("S", "E", OneClass, []), "The negative label embeddings are empty", "negativeLabelEmbeddings");
        Throws(() => ml.Ood().NegativeLabels("S", "E", [[1, 0], [float.NaN, 1]], [[0, 1]]), "The ID label embedding 1 has a NaN or infinite value", "idLabelEmbeddings");
        Throws(() => ml.Ood().NegativeLabels("S", "E", OneClass, [[0, 1], [float.PositiveInfinity, 0]]), "The negative label embedding 1 has a NaN or infinite value", "negativeLabelEmbeddings");
        Throws(() => ml.Ood().MaximumConceptMatching("S", "E", [[0, 0]]), "The ID label embedding 0 has zero norm", "idLabelEmbeddings");
        Throws(() => ml.Ood().MaximumConceptMatching("S", "E", [[1, 0], [1, 0, 0]]), "The ID label embedding 1 has 3 values, but the label embeddings are 2 wide", "idLabelEmbeddings");
        Throws(() => ml.Ood().NegativeLabels("S", "E", OneClass, [[1, 0, 0]]), "The negative label embedding 0 has 3 values, but the label embeddings are 2 wide", "negativeLabelEmbeddings");

        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().NegativeLabels("S", "E", OneClass, [[0, 1], [1, 1]], groups: 3)).Message,
            "The number of groups must be between 1 and the number of negative labels (2); got 3.");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().NegativeLabels("S", "E", OneClass, [[0, 1]], groups: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().NegativeLabels("S", "E", OneClass, [[0, 1]], temperature: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().MaximumConceptMatching("S", "E", OneClass, temperature: float.NaN));
        Assert.ThrowsExactly<ArgumentNullException>(() => ml.Ood().MaximumConceptMatching("S", "E", null!));
    }

}
