using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood;

// Deliberately outside Ml.Ood.*: C# also looks names up in the enclosing namespaces, so a test inside
// Ml.Ood.Trainers.Tests would find Ml.Ood.Trainers' types without a using and hide what this file guards:
// one `using Ml.Ood;` reaches every public entry point a user calls (issue 11).
namespace Newcomer;

/// <summary>Every public entry point, called with only <c>using Ml.Ood;</c> and ML.NET's own namespaces.</summary>
[TestClass]
public sealed class OneUsingTests
{
    private static readonly float[][] ClassEmbeddings = [[1, 0], [0, 1]];
    private static readonly string[] ClassNames = ["cat", "dog"];
    private static readonly LexiconWord[] Words = [new("sky", PartOfSpeech.Noun), new("wet", PartOfSpeech.Adjective), new("car")];
    private static readonly float[][] WordEmbeddings = [[-1, 0], [0, -1], [1, 1]];

    public TestContext TestContext { get; set; } = null!;

    private sealed class Row
    {
        [VectorType(3)]
        public float[] Logits { get; set; } = [];

        [VectorType(2)]
        public float[] Embedding { get; set; } = [];

        public int Label { get; set; }

        public bool IsOodTruth { get; set; }
    }

    [TestMethod]
    public void EveryHeadIsOnTheCatalog()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows());
        var pipeline = ml.Ood().Energy("Energy", "Logits")
            .Append(ml.Ood().MaxSoftmaxProbability("Msp", "Logits"))
            .Append(ml.Ood().MaxLogit("MaxLogit", "Logits"))
            .Append(ml.Ood().MaximumConceptMatching("Mcm", "Embedding", ClassEmbeddings))
            .Append(ml.Ood().NegativeLabels("NegLabel", "Embedding", ClassEmbeddings, WordEmbeddings))
            .Append(ml.Ood().Knn("Knn", "Embedding", k: 1))
            .Append(ml.Ood().Knn(new KnnOptions { OutputColumnName = "Knn2", InputColumnName = "Embedding", K = 2 }))
            .Append(ml.Ood().Mahalanobis("Mds", "Embedding", "Label"))
            .Append(ml.Ood().NegativeLabelsFromLexicon("Mined", "Embedding", ClassNames, ClassEmbeddings, Words, WordEmbeddings, count: 2))
            .Append(ml.Ood().NegativeLabelsFromLexicon(ClassNames, ClassEmbeddings, Words, WordEmbeddings,
                new NegativeLabelMiningOptions { OutputColumnName = "Mined2", InputColumnName = "Embedding", Count = 2 }))
            .Append(ml.Ood().Threshold("IsOod", "Knn", isOodColumnName: "IsOodTruth"));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);
        ThresholdSettings settings = model.LastTransformer.ThresholdSettings;
        Assert.AreEqual("IsOodTruth", settings.IsOodColumnName);
        Assert.AreEqual(6L, settings.IdRowCount, "no row is marked OOD");

        foreach (string score in new[] { "Energy", "Msp", "MaxLogit", "Mcm", "NegLabel", "Knn", "Knn2", "Mds", "Mined", "Mined2" })
        {
            Assert.AreEqual(NumberDataViewType.Single, scored.Schema[score].Type, score);
        }

        Assert.AreEqual(BooleanDataViewType.Instance, scored.Schema["IsOod"].Type);
    }

    [TestMethod]
    public void SpanFunctionsLexiconAndMinerAreReachable()
    {
        // By hand: energy of (0, 0) = -log(e^0 + e^0) = -log 2; MSP = -1/2; MaxLogit of (1, 2) = -2.
        Assert.AreEqual(-Math.Log(2), LogitScores.Energy([0f, 0f]), 1e-6);
        Assert.AreEqual(-0.5f, LogitScores.MaxSoftmaxProbability([0f, 0f]), 1e-6f);
        Assert.AreEqual(-2f, LogitScores.MaxLogit([1f, 2f]));
        var block = new float[2];
        LogitScores.MaxLogit([1f, 2f, 5f, 3f], 2, block);
        CollectionAssert.AreEqual(new[] { -2f, -5f }, block);

        string list = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"words-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(list, ["sky", "# a comment", "wet"]);
        IReadOnlyList<LexiconWord> words = Lexicon.LoadWordList(list, PartOfSpeech.Noun);
        CollectionAssert.AreEqual(new[] { new LexiconWord("sky", PartOfSpeech.Noun), new LexiconWord("wet", PartOfSpeech.Noun) }, words.ToArray());
        Assert.IsNotEmpty(Lexicon.DefaultWordNetExclusions);

        // "sky" (-1, 0) has maximum cosine 0 to the classes, "car" (1, 1) 0.7071: one word kept, the farther one.
        NegativeLabelSelection selection = NegativeLabelMiner.Select([new("sky"), new("car")], [[-1, 0], [1, 1]], ClassNames, ClassEmbeddings, count: 1);
        Assert.AreEqual("sky", selection.Words.Single().Text);
    }

    [TestMethod]
    public void TheClipTextEncoderIsReachable()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"toy-clip-{Guid.NewGuid():N}");
        Ml.Ood.Tests.ToyClip.Write(folder); // the test fixture's files; a user passes their own CLIP export
        using var encoder = new ClipTextEncoder(Path.Combine(folder, "text.onnx"), Path.Combine(folder, "vocab.json"),
            Path.Combine(folder, "merges.txt"), new ClipTextEncoderOptions { BatchSize = 2 });
        var embeddings = encoder.EncodeClassNames(["cat"]);
        Assert.HasCount(Ml.Ood.Tests.ToyClip.Width, embeddings[0]);
        Assert.AreEqual(1, Math.Sqrt(embeddings[0].Sum(v => (double)v * v)), 1e-5, "unit norm");
    }

    [TestMethod]
    public void TheEntryPointsLiveInMlOod()
    {
        Type[] entryPoints =
        [
            typeof(LogitScores), typeof(Lexicon), typeof(LexiconWord), typeof(PartOfSpeech), typeof(NegativeLabelMiner),
            typeof(NegativeLabelSelection), typeof(ClipTextEncoder), typeof(ClipTextEncoderOptions), typeof(KnnOptions),
            typeof(NegativeLabelMiningOptions), typeof(ThresholdSettings), typeof(ThresholdSettingsExtensions), typeof(OodLogitHeadsCatalog), typeof(OodVisionLanguageCatalog), typeof(OodDistanceCatalog), typeof(OodDecisionCatalog), typeof(OodNegativeMiningCatalog),
        ];
        foreach (var type in entryPoints)
        {
            Assert.AreEqual("Ml.Ood", type.Namespace, type.Name);
        }
    }

    private static List<Row> Rows()
    {
        // Two classes spread around (1, 0) and (0, 1), so the shared covariance has full rank; logits, not probabilities.
        float[][] embeddings = [[1, 0.1f], [0.9f, -0.1f], [1.1f, 0], [0.1f, 1], [-0.1f, 0.9f], [0, 1.1f]];
        return embeddings.Select((e, i) => new Row { Embedding = e, Label = i / 3, Logits = [i, -i, 0.5f] }).ToList();
    }
}
