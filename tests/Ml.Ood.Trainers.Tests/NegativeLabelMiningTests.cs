using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Trainers.Tests;

/// <summary>NegMining on a hand-made 2-d lexicon whose answer is derived below, and the estimator that mines and fits NegLabel.</summary>
[TestClass]
public sealed class NegativeLabelMiningTests
{
    // ID labels "cat" = (1, 0) and "dog" = (0, 1). Each candidate's maximum cosine (q = 1) to them, by hand:
    //   0 noun "Cat "  (1, 0)   equals an ID name (trimmed, any case): excluded
    //   1 noun "car"   (1, 1)   max(.7071, .7071) =  .7071
    //   2 noun "sky"   (-1, 0)  max(-1, 0)        =  0
    //   3 noun "sea"   (0, -1)  max(0, -1)        =  0      (ties with sky; sky comes first in the lexicon)
    //   4 noun "rock"  (-1, -1) max(-.7071, -.7071) = -.7071
    //   5 adj  "blue"  (1, -1)  max(.7071, -.7071) =  .7071
    //   6 adj  "wet"   (-2, 1)  max(-.8944, .4472) =  .4472
    //   7 adj  "old"   (-1, -2) max(-.4472, -.8944) = -.4472
    //   8 noun "SKY"   (1, 0)   repeats "sky": excluded
    // Eligible: 4 nouns, 3 adjectives (N = 7). M = 4: nouns floor(16/7) = 2 (remainder 2/7), adjectives
    // floor(12/7) = 1 (remainder 5/7), the one word left goes to the adjectives: 2 nouns, 2 adjectives.
    // Nouns ascending: rock, sky (before sea); adjectives ascending: old, wet.
    private static readonly string[] IdNames = ["cat", "dog"];
    private static readonly float[][] IdEmbeddings = [[1, 0], [0, 1]];
    private static readonly LexiconWord[] Words =
    [
        new("Cat ", PartOfSpeech.Noun), new("car", PartOfSpeech.Noun), new("sky", PartOfSpeech.Noun), new("sea", PartOfSpeech.Noun),
        new("rock", PartOfSpeech.Noun), new("blue", PartOfSpeech.Adjective), new("wet", PartOfSpeech.Adjective),
        new("old", PartOfSpeech.Adjective), new("SKY", PartOfSpeech.Noun),
    ];
    private static readonly float[][] WordEmbeddings = [[1, 0], [1, 1], [-1, 0], [0, -1], [-1, -1], [1, -1], [-2, 1], [-1, -2], [1, 0]];

    [TestMethod]
    public void PicksTheFarthestNounsAndAdjectivesInProportion()
    {
        var selection = NegativeLabelMiner.Select(Words, WordEmbeddings, IdNames, IdEmbeddings, count: 4);
        CollectionAssert.AreEqual(new[] { "rock", "sky", "old", "wet" }, selection.Words.Select(w => w.Text).ToArray());
        CollectionAssert.AreEqual(new[] { 4, 2, 7, 6 }, selection.Indices.ToArray());
        var expected = new[] { -Math.Sqrt(0.5), 0, -1 / Math.Sqrt(5), 1 / Math.Sqrt(5) };
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], selection.Similarities[i], 1e-6, selection.Words[i].Text);
        }

        Assert.AreSame(WordEmbeddings[4], selection.Embeddings[0], "the caller's embedding, as given");
        Assert.AreEqual(1, selection.ExcludedAsIdLabels);
        Assert.AreEqual(1, selection.ExcludedAsDuplicates);
    }

    [TestMethod]
    public void QuantileZeroRanksByTheLeastSimilarClassAndNullKeepsAll()
    {
        // q = 0 (the minimum cosine): car .7071; sky -1, sea -1 (tie, lexicon order); rock -.7071;
        // blue -.7071; wet -.8944 and old -.8944 (tie, lexicon order).
        var selection = NegativeLabelMiner.Select(Words, WordEmbeddings, IdNames, IdEmbeddings, count: null, quantile: 0);
        CollectionAssert.AreEqual(new[] { "sky", "sea", "rock", "car", "wet", "old", "blue" }, selection.Words.Select(w => w.Text).ToArray());
    }

    [TestMethod]
    public void QuantilesInterpolateLinearlyAsTorchQuantile()
    {
        // Word (1, 0) against labels (1, 0), (0, 1), (-1, 0): sorted cosines -1, 0, 1; q = 0.25 sits halfway
        // between the first two (position 0.5), q = 0.75 halfway between the last two.
        float[][] labels = [[1, 0], [0, 1], [-1, 0]];
        string[] names = ["a", "b", "c"];
        LexiconWord[] word = [new("w")];
        Assert.AreEqual(-0.5f, NegativeLabelMiner.Select(word, [[1, 0]], names, labels, quantile: 0.25).Similarities[0], 1e-6f);
        Assert.AreEqual(0.5f, NegativeLabelMiner.Select(word, [[1, 0]], names, labels, quantile: 0.75).Similarities[0], 1e-6f);
        Assert.AreEqual(1f, NegativeLabelMiner.Select(word, [[1, 0]], names, labels).Similarities[0], 1e-6f);
    }

    [TestMethod]
    [DataRow(new[] { 4, 3, 0 }, 4, new[] { 2, 2, 0 })]
    [DataRow(new[] { 3, 1, 0 }, 2, new[] { 2, 0, 0 })]
    [DataRow(new[] { 1, 3, 0 }, 2, new[] { 1, 1, 0 })]
    [DataRow(new[] { 5, 5, 2 }, 100, new[] { 5, 5, 2 })]
    [DataRow(new[] { 70_000, 20_000, 0 }, 10_000, new[] { 7_778, 2_222, 0 })]
    public void QuotasAreProportionalAndSumToTheCount(int[] pools, int count, int[] expected)
        // [3, 1] keep 2: 1.5 and 0.5, equal remainders, the nouns take the extra word. [1, 3]: 0.5 and 1.5, likewise.
        // 70,000 / 20,000 keep 10,000: 7,777.8 and 2,222.2 -> the nouns' larger remainder takes the extra word.
        => CollectionAssert.AreEqual(expected, NegativeLabelMiner.Quotas(pools, count));

    [TestMethod]
    public void EstimatorMinesThenScoresWithTheMinedNegatives()
    {
        // Image (1, 0) with tau = 1, one group: class cosines 1 and 0; negatives rock -.7071, sky -1, old -.4472, wet -.8944.
        var ml = new MLContext(seed: 1);
        var estimator = ml.Ood().NegativeLabelsFromLexicon("S", "Embedding", IdNames, IdEmbeddings, Words, WordEmbeddings, count: 4, temperature: 1f);
        CollectionAssert.AreEqual(new[] { "rock", "sky", "old", "wet" }, estimator.Selection.Words.Select(w => w.Text).ToArray());
        var data = EmbeddingData.Create(ml, [[2, 0]]);
        var model = estimator.Fit(data);
        double id = Math.E + 1;
        double negatives = Math.Exp(-Math.Sqrt(0.5)) + Math.Exp(-1) + Math.Exp(-1 / Math.Sqrt(5)) + Math.Exp(-2 / Math.Sqrt(5));
        Assert.AreEqual(-id / (id + negatives), model.Transform(data).GetColumn<float>("S").Single(), 1e-6);
        Assert.AreEqual("neglabel", model.Head.Kind);
        Assert.AreEqual("4", model.Head.Parameters["negative_labels"]);
    }

    [TestMethod]
    public void BadLexiconsGiveClearErrors()
    {
        var mismatch = Assert.ThrowsExactly<ArgumentException>(() => NegativeLabelMiner.Select(Words, WordEmbeddings.Take(3).ToArray(), IdNames, IdEmbeddings));
        StringAssert.StartsWith(mismatch.Message, "There are 9 candidate words but 3 candidate embeddings");
        var names = Assert.ThrowsExactly<ArgumentException>(() => NegativeLabelMiner.Select(Words, WordEmbeddings, ["cat"], IdEmbeddings));
        StringAssert.StartsWith(names.Message, "There are 1 ID label names but 2 ID label embeddings");
        var width = Assert.ThrowsExactly<ArgumentException>(() => NegativeLabelMiner.Select([new("w")], [[1, 0, 0]], IdNames, IdEmbeddings));
        StringAssert.StartsWith(width.Message, "The candidate label embedding 0 has 3 values, but the label embeddings are 2 wide");
        var nan = Assert.ThrowsExactly<ArgumentException>(() => NegativeLabelMiner.Select([new("w")], [[float.NaN, 0]], IdNames, IdEmbeddings));
        StringAssert.StartsWith(nan.Message, "The candidate label embedding 0 has a NaN or infinite value");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NegativeLabelMiner.Select(Words, WordEmbeddings, IdNames, IdEmbeddings, count: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NegativeLabelMiner.Select(Words, WordEmbeddings, IdNames, IdEmbeddings, quantile: 1.5));

        var ml = new MLContext(seed: 1);
        var onlyIdNames = ml.Ood().NegativeLabelsFromLexicon("S", "Embedding", IdNames, IdEmbeddings, [new("DOG")], [[0, 1]]);
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidOperationException>(() => onlyIdNames.Fit(EmbeddingData.Create(ml, [[1, 0]]))).Message,
            "NegMining kept no word");
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => ml.Ood().NegativeLabelsFromLexicon("S", "Embedding", IdNames, IdEmbeddings, Words, WordEmbeddings).Fit(EmbeddingData.Create(ml, [[1, 0, 0]]))).Message,
            "Schema mismatch for input column 'Embedding': expected vector of Single of size 2 (the width of the label embeddings), got Vector<Single, 3>");
    }
}
