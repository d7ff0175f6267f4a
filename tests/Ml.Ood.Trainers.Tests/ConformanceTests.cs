using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// Every head of this package through <see cref="HeadConformance"/>: schemas, bad input, block sizes, PredictionEngine,
/// both loads and the exported model. Their values are checked against tests/ReferenceVectors and hand calculations
/// elsewhere.
/// </summary>
[TestClass]
public sealed class ConformanceTests
{
    [TestMethod]
    public void Knn()
    {
        var ml = new MLContext(seed: 1);
        var train = Embeddings(ml, 200, seed: 5);
        var test = Embeddings(ml, 43, seed: 6);
        HeadConformance.Check<KnnSettings>(ml, "knn(k=5)", o => ml.Ood().Knn("Knn", "Embedding", k: 5, execution: o), train, test, "Knn");
    }

    [TestMethod]
    public void KnnOnASample()
    {
        var ml = new MLContext(seed: 1);
        var train = Embeddings(ml, 200, seed: 5);
        var test = Embeddings(ml, 43, seed: 6);
        HeadConformance.Check<KnnSettings>(ml, "knn(k=3, 60 of 200 rows)",
            o => ml.Ood().Knn("Knn", "Embedding", k: 3, maxBankRows: 60, seed: 9, execution: o), train, test, "Knn");
    }

    [TestMethod]
    public void Mahalanobis()
    {
        var ml = new MLContext(seed: 1);
        var train = Embeddings(ml, 200, seed: 5);
        var test = Embeddings(ml, 43, seed: 6);
        HeadConformance.Check<MahalanobisSettings>(ml, "mahalanobis",
            o => ml.Ood().Mahalanobis("Mahalanobis", "Embedding", "Label", execution: o), train, test, "Mahalanobis");
    }

    [TestMethod]
    public void Rmds()
    {
        var ml = new MLContext(seed: 1);
        var train = Embeddings(ml, 200, seed: 5);
        var test = Embeddings(ml, 43, seed: 6);
        HeadConformance.Check<RelativeMahalanobisSettings>(ml, "rmds", o => ml.Ood().Rmds("Rmds", "Embedding", "Label", execution: o), train, test, "Rmds");
    }

    [TestMethod]
    public void Fdbd()
    {
        var ml = new MLContext(seed: 1);
        var train = Embeddings(ml, 200, seed: 5);
        var test = Embeddings(ml, 43, seed: 6);
        HeadConformance.Check<FeatureDecisionBoundarySettings>(ml, "fdbd", o => ml.Ood().Fdbd("Fdbd", "Embedding", Layer, execution: o), train, test, "Fdbd");
    }

    [TestMethod]
    public void Vim()
    {
        var ml = new MLContext(seed: 1);
        var train = Embeddings(ml, 200, seed: 5);
        var test = Embeddings(ml, 43, seed: 6);
        HeadConformance.Check<VirtualLogitMatchingSettings>(ml, "vim(dim=3)", o => ml.Ood().Vim("Vim", "Embedding", Layer, dim: 3, execution: o), train, test, "Vim");
    }

    [TestMethod]
    public void NnGuide()
    {
        var ml = new MLContext(seed: 1);
        var train = Embeddings(ml, 200, seed: 5);
        var test = Embeddings(ml, 43, seed: 6);
        HeadConformance.Check<NearestNeighborGuidanceSettings>(ml, "nnguide(k=5, 60 of 200 rows)",
            o => ml.Ood().NnGuide("NnGuide", "Embedding", Layer, k: 5, bankFraction: null, maxBankRows: 60, seed: 9, execution: o), train, test, "NnGuide");
    }

    [TestMethod]
    public void Threshold()
    {
        // ID scores 0.5, 1, ..., 50 give t = 47.5 (the 95th of 100); the test scores fall on both sides of it, on it, and
        // are NaN or infinite, so the decision has both values.
        var ml = new MLContext(seed: 1);
        var id = Scores(ml, Enumerable.Range(1, 100).Select(i => i * 0.5f));
        var test = Scores(ml, [-1f, 3f, 47.5f, MathF.BitIncrement(47.5f), 60f, float.NaN, float.PositiveInfinity, 12f, 49f, 0f, 100f]);
        HeadConformance.Check<ThresholdSettings>(ml, "threshold", o => ml.Ood().Threshold("IsOod", "Score", execution: o), id, test, "IsOod");
    }

    [TestMethod]
    public void ThresholdOnTheIdRowsOfAMixedView()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(1, 40).Select(i => new TruthRow { Score = i, IsOodTruth = i % 4 == 0 }).ToList();
        var mixed = ml.Data.LoadFromEnumerable(rows);
        HeadConformance.Check<ThresholdSettings>(ml, "threshold(isOodColumnName)",
            o => ml.Ood().Threshold("IsOod", "Score", 0.9, isOodColumnName: "IsOodTruth", execution: o), mixed, mixed, "IsOod");
    }

    [TestMethod]
    public void NegativeLabelsFromLexicon()
    {
        // A 12-d lexicon: nouns and adjectives with seeded embeddings, one of which repeats an ID name.
        var random = new Random(4);
        float[] Vector() => Enumerable.Range(0, 12).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        string[] idNames = ["cat", "dog", "bird"];
        var idEmbeddings = idNames.Select(_ => Vector()).ToArray();
        var words = Enumerable.Range(0, 30).Select(i => new LexiconWord(i == 3 ? "Dog" : $"word{i}", i % 3 == 0 ? PartOfSpeech.Adjective : PartOfSpeech.Noun)).ToArray();
        var wordEmbeddings = words.Select(_ => Vector()).ToArray();
        var images = Enumerable.Range(0, 45).Select(_ => Vector()).ToArray();

        var ml = new MLContext(seed: 1);
        HeadConformance.Check<NegativeLabelSettings>(ml, "neglabel(mined)",
            o => ml.Ood().NegativeLabelsFromLexicon("NegMining", "Embedding", idNames, idEmbeddings, words, wordEmbeddings, count: 12,
                temperature: 0.5f, groups: 3, execution: o),
            EmbeddingData.Create(ml, images.Take(5).ToArray()), EmbeddingData.Create(ml, images), "NegMining");
    }

    [TestMethod]
    public void FittedTemperatureScaling()
    {
        // 9 classes (36-byte rows at every alignment); the label is the largest logit's class except in every fifth row, so
        // that a finite temperature minimises the NLL.
        var random = new Random(7);
        float[][] Logits(int count) => Enumerable.Range(0, count)
            .Select(i => Enumerable.Range(0, 9).Select(c => (c == i % 9 ? 3f : 0f) + (float)(random.NextDouble() * 4 - 2)).ToArray()).ToArray();
        var trainLogits = Logits(120);
        int[] labels = trainLogits.Select((z, i) => i % 5 == 0 ? (i + 4) % 9 : Array.IndexOf(z, z.Max())).ToArray();
        var ml = new MLContext(seed: 1);
        HeadConformance.Check<TemperatureScalingSettings>(ml, "temperature_scaling(fitted)",
            o => ml.Ood().TemperatureScaling("Ts", "Logits", "Label", execution: o),
            TemperatureScalingFitTests.Labelled(ml, trainLogits, labels), TemperatureScalingFitTests.Labelled(ml, Logits(47), new int[47]), "Ts");
    }

    [TestMethod]
    public void ReAct()
    {
        // 10-d post-ReLU-like features (magnitudes) and a 4-class layer; the clip value falls inside the test rows' range.
        var ml = new MLContext(seed: 1);
        var random = new Random(7);
        var layer = OodClassifierLayer.FromArrays(
            [.. Enumerable.Range(0, 40).Select(_ => (float)(random.NextDouble() * 2 - 1))], [0.5f, -0.25f, 0f, 1f], classes: 4, features: 10);
        var features = Enumerable.Range(0, 243).Select(_ => Enumerable.Range(0, 10).Select(_ => (float)(random.NextDouble() * 3)).ToArray()).ToArray();
        HeadConformance.Check<ReActSettings>(ml, "react(p=90)", o => ml.Ood().ReAct("ReAct", "Embedding", layer, execution: o),
            EmbeddingData.Create(ml, features[..200]), EmbeddingData.Create(ml, features[200..]), "ReAct");
    }

    /// <summary>A fixed 3-class layer on the 10-d rows of <see cref="Embeddings"/>: class k's row weighs axis k most.</summary>
    private static readonly OodClassifierLayer Layer = OodClassifierLayer.FromArrays(
        [.. Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 10).Select(d => d == c ? 1f : 0.1f * ((c + 2 * d) % 5 - 2)).ToArray())],
        [0.1f, -0.2f, 0.05f]);

    private sealed class ScoreRow
    {
        public float Score { get; set; }
    }

    private sealed class TruthRow
    {
        public float Score { get; set; }

        public bool IsOodTruth { get; set; }
    }

    /// <summary>
    /// 10-d rows of three classes (class k centred at 3 on axis k): 40-byte rows lie at every alignment in a block, where a
    /// row sum's rounding used to depend on it.
    /// </summary>
    private static IDataView Embeddings(MLContext ml, int count, int seed)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, count).Select(i =>
            Enumerable.Range(0, 10).Select(d => (d == i % 3 ? 3f : 0f) + (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        return EmbeddingData.Create(ml, rows, Enumerable.Range(0, count).Select(i => i % 3).ToArray());
    }

    private static IDataView Scores(MLContext ml, IEnumerable<float> scores)
        => ml.Data.LoadFromEnumerable(scores.Select(s => new ScoreRow { Score = s }).ToList());
}
