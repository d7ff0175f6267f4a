using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// OODD with a vision-language s_id (<c>ml.Ood().OoddVisionLanguage</c>) against the numpy transcription of the official
/// CLIP variants (oodd_vl_stream.json), for MCM and NegLabel: every score within 1e-5 through the pipeline and the
/// streaming scorer, the same rows held at the end, and the test-time semantics of docs/TEST-TIME-HEADS.md.
/// </summary>
[TestClass]
public sealed class OoddVisionLanguageTests
{
    private static OoddVisionLanguageStream Stream => OoddVisionLanguageStream.Instance;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void StreamIsLongAndEvictsOften()
    {
        Assert.IsGreaterThanOrEqualTo(1000, Stream.Rows.Length);
        Assert.HasCount(2, Stream.Cases);
        foreach (var c in Stream.Cases)
        {
            Assert.IsGreaterThanOrEqualTo(200, c.Evictions, c.Name);
            Assert.AreEqual(Stream.Rows.Length - c.Capacity, c.Evictions, $"{c.Name}: every push past q evicts one row");
            Assert.AreNotEqual(0, Stream.Rows.Length % c.Batch, "the last update batch is short");
        }
        Assert.AreNotEqual(0, Stream.NegativeLabels.Length % Stream["neglabel"].Groups, "some negatives are dropped from the groups");
    }

    [TestMethod]
    [DataRow("mcm")]
    [DataRow("neglabel")]
    public void PipelineMatchesTheTranscriptionAndASecondPassAlike(string confidence)
    {
        var c = Stream[confidence];
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, Stream.Rows);
        // A block size that divides nothing: it must not matter (the update batch B is the file's).
        using var model = Stream.Fit(ml, c, blockSize: 7);
        Assert.AreEqual(c.Batch, model.UpdateBatch);
        var first = Scores(model, data);
        AdaNegTests.AssertScores(c.ExpectedScores, first, $"{confidence}: Transform");
        CollectionAssert.AreEqual(first, Scores(model, data), "a second pass starts from the fitted state");
        CollectionAssert.AreEqual(Enumerable.Range(0, Stream.Rows.Length).ToArray(), model.Transform(data).GetColumn<int>("Id").ToArray());
    }

    [TestMethod]
    [DataRow("mcm")]
    [DataRow("neglabel")]
    public void StreamingScorerMatchesThePipelineBitForBit(string confidence)
    {
        var c = Stream[confidence];
        var ml = new MLContext(seed: 1);
        using var model = Stream.Fit(ml, c);
        float[] pipeline = Scores(model, ImageEmbeddings.Create(ml, Stream.Rows));
        using var scorer = ml.Ood().CreateStreamingScorer(model);
        var batched = new List<float>();
        for (int start = 0; start < Stream.Rows.Length; start += c.Batch)
        {
            batched.AddRange(scorer.Score(Stream.Rows.Skip(start).Take(c.Batch).ToArray()));
        }
        AdaNegTests.AssertScores(c.ExpectedScores, batched, $"{confidence}: scorer, calls of B rows");
        CollectionAssert.AreEqual(pipeline, batched.ToArray(), "calls of B rows = the pipeline, bit for bit");
        Assert.AreEqual(Stream.Rows.Length, scorer.RowsSeen);
        scorer.Reset();
        CollectionAssert.AreEqual(pipeline, scorer.Score(Stream.Rows), "one call, cut into batches of B");
    }

    [TestMethod]
    [DataRow("mcm")]
    [DataRow("neglabel")]
    public void TheDictionaryHoldsTheTranscriptionsRowsAtTheEnd(string confidence)
    {
        var c = Stream[confidence];
        var ml = new MLContext(seed: 1);
        using var model = Stream.Fit(ml, c);
        using var state = (OoddState)model.Starting.Clone();
        for (int start = 0; start < Stream.Rows.Length; start += c.Batch)
        {
            int count = Math.Min(c.Batch, Stream.Rows.Length - start);
            state.ScoreBatch(Stream.Rows.Skip(start).Take(count).SelectMany(r => r).ToArray(), count, new float[count]);
        }
        Assert.AreEqual(c.Capacity, state.DictionaryRows);
        CollectionAssert.AreEqual(c.HeldAtEnd, state.HeldRows.Order.ToArray().Order().ToArray(), "the q rows of lowest confidence");
        Assert.AreEqual(0, model.Starting.RowsSeen, "the starting state never moves");
    }

    [TestMethod]
    [DataRow("mcm")]
    [DataRow("neglabel")]
    public void HeadGraphGivesTheConfidenceAsSId(string confidence)
    {
        // Graph 1 of the state: the confidence itself (higher = ID), not the stateless heads' negated score.
        var c = Stream[confidence];
        var ml = new MLContext(seed: 1);
        using var model = Stream.Fit(ml, c);
        int rows = Stream.Rows.Length;
        var values = new float[rows];
        model.HeadState.Run(Stream.Rows.SelectMany(r => r).ToArray(), rows, values);
        AdaNegTests.AssertScores(c.ExpectedConfidence, values, $"{confidence}: s_id");
    }

    [TestMethod]
    public void BlockSizeNeverChangesAScore()
    {
        var c = Stream["neglabel"];
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, Stream.Rows);
        float[]? reference = null;
        foreach (int block in new[] { 1, 7, c.Batch + 3 })
        {
            using var model = Stream.Fit(ml, c, block);
            Assert.AreEqual(block, model.BlockSize);
            var scores = Scores(model, data);
            reference ??= scores;
            CollectionAssert.AreEqual(reference, scores, $"block size {block}, bit for bit");
        }
    }

    [TestMethod]
    [DataRow("mcm")]
    [DataRow("neglabel")]
    public void SavedModelRestoresWithOodLoadAndRefusesPlainLoad(string confidence)
    {
        var c = Stream[confidence];
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, Stream.Rows);
        using var model = Stream.Fit(ml, c);
        float[] expected = Scores(model, data);
        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"oodd-vl-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, zip);
        try
        {
            using (var loaded = (IDisposable)ml.Ood().Load(zip, out _))
            {
                var restored = (ITransformer)loaded;
                CollectionAssert.AreEqual(expected, Scores(restored, data), "ml.Ood().Load, bit for bit");
                using var scorer = ml.Ood().CreateStreamingScorer(restored);
                CollectionAssert.AreEqual(expected, scorer.Score(Stream.Rows), "streaming scorer of the loaded model");
                var head = (OodTestTimeTransformer)((OodLoadedModel)restored).Model;
                Assert.AreEqual(model.GetSettings<OoddVisionLanguageSettings>(), head.GetSettings<OoddVisionLanguageSettings>());
            }

            var plain = ml.Model.Load(zip, out _);
            var error = Assert.Throws<Exception>(() => Scores(plain, data));
            StringAssert.Contains(Innermost(error).Message, "ml.Ood().Load");
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void PredictionEngineAndExportAreRefused()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, Stream.Rows.Take(3).ToArray());
        using var model = Stream.Fit(ml, Stream["mcm"]);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => ImageEmbeddings.PerRow(ml, model, data, Stream.Rows.Take(3).ToArray(), "Oodd"));
        StringAssert.Contains(error.Message, "oodd_vl head writing 'Oodd'");
        StringAssert.Contains(error.Message, "CreateStreamingScorer");
        Assert.ThrowsExactly<NotSupportedException>(() => model.ExportOnnx(Path.Combine(Path.GetTempPath(), "never.onnx")));
    }

    [TestMethod]
    public void OneCursorEvenWhenMlNetAsksForSeveral()
    {
        var ml = new MLContext(seed: 1);
        using var model = Stream.Fit(ml, Stream["mcm"]);
        var scored = model.Transform(ImageEmbeddings.Create(ml, Stream.Rows));
        var cursors = scored.GetRowCursorSet(scored.Schema, 4);
        Assert.HasCount(1, cursors);
        foreach (var cursor in cursors)
        {
            cursor.Dispose();
        }
    }

    [TestMethod]
    [DataRow("mcm")]
    [DataRow("neglabel")]
    public void NaNInfiniteAndAllZeroRowsScoreNaNAndNeverEnterTheDictionary(string confidence)
    {
        var c = Stream[confidence];
        var ml = new MLContext(seed: 1);
        using var model = Stream.Fit(ml, c);
        var batch = Stream.Rows.Take(c.Batch).Select(r => (float[])r.Clone()).ToArray();
        batch[10][3] = float.NaN;
        batch[20][0] = float.PositiveInfinity;
        batch[30] = new float[batch[30].Length];
        int[] bad = [10, 20, 30];
        using var withBad = ml.Ood().CreateStreamingScorer(model);
        float[] scores = withBad.Score(batch);
        Assert.IsTrue(bad.All(i => float.IsNaN(scores[i])), "fail closed: NaN, which a Threshold flags");
        using (var snapshot = withBad.Snapshot())
        {
            Assert.AreEqual(c.Batch - bad.Length, snapshot.DictionaryRows, "the bad rows are not held (B < q here)");
            Assert.AreEqual(c.Batch, snapshot.RowsSeen);
        }

        // Every other row scores as if the bad rows had not been in the batch at all.
        using var without = ml.Ood().CreateStreamingScorer(model);
        float[] clean = without.Score(batch.Where((_, i) => !bad.Contains(i)).ToArray());
        float[] rest = scores.Where((_, i) => !bad.Contains(i)).ToArray();
        for (int i = 0; i < clean.Length; i++)
        {
            Assert.AreEqual(clean[i], rest[i], 1e-6f, $"row {i}");
        }
        Assert.AreEqual(bad.Length, Scores(model, ImageEmbeddings.Create(ml, batch)).Count(float.IsNaN), "the pipeline too");
    }

    [TestMethod]
    public void ASavedSnapshotContinuesInAnotherScorerAndAnotherHeadsIsRefused()
    {
        var c = Stream["neglabel"];
        var ml = new MLContext(seed: 1);
        using var model = Stream.Fit(ml, c);
        int half = c.Batch * (Stream.Rows.Length / c.Batch / 2);
        using var first = ml.Ood().CreateStreamingScorer(model);
        var scores = first.Score(Stream.Rows.Take(half).ToArray()).ToList();
        using var saved = new MemoryStream();
        first.Save(saved);
        using var second = ml.Ood().CreateStreamingScorer(model);
        saved.Position = 0;
        second.Load(saved);
        Assert.AreEqual(half, second.RowsSeen);
        scores.AddRange(second.Score(Stream.Rows.Skip(half).ToArray()));
        AdaNegTests.AssertScores(c.ExpectedScores, scores, "first half in one scorer, the rest in another after Save/Load");

        using var mcm = Stream.Fit(ml, Stream["mcm"]);
        using var other = ml.Ood().CreateStreamingScorer(mcm);
        saved.Position = 0;
        Assert.ThrowsExactly<InvalidDataException>(() => other.Load(saved));
        Assert.AreEqual(0, other.RowsSeen, "a refused snapshot leaves the live state alone");
    }

    [TestMethod]
    public void SettingsAndDefaultsAreTheOfficialCodes()
    {
        var ml = new MLContext(seed: 1);
        var mcm = ml.Ood().OoddVisionLanguage(new OoddVisionLanguageOptions { ImageColumnName = "Embedding", IdLabelEmbeddings = Stream.IdLabels });
        Assert.AreEqual(new OoddVisionLanguageSettings(OoddConfidence.Mcm, 1f, 1, null, Stream.IdLabels.Length, 0, 5, 2048, 64), mcm.Settings);
        var negatives = Enumerable.Range(0, 3).SelectMany(_ => Stream.NegativeLabels).ToArray();
        var neg = ml.Ood().OoddVisionLanguage(new OoddVisionLanguageOptions
        {
            ImageColumnName = "Embedding",
            IdLabelEmbeddings = Stream.IdLabels,
            NegativeLabelEmbeddings = negatives,
            Confidence = OoddConfidence.NegativeLabels,
        });
        Assert.AreEqual(new OoddVisionLanguageSettings(OoddConfidence.NegativeLabels, 0.01f, 100, null, Stream.IdLabels.Length, 100, 5, 2048, 64), neg.Settings);

        var c = Stream["neglabel"];
        using var model = Stream.Fit(ml, c);
        Assert.AreEqual("oodd_vl", model.Head.Kind);
        int used = Stream.NegativeLabels.Length - Stream.NegativeLabels.Length % c.Groups;
        Assert.AreEqual(new OoddVisionLanguageSettings(OoddConfidence.NegativeLabels, c.Temperature, c.Groups, null, Stream.IdLabels.Length, used,
            c.K2, c.Capacity, c.Batch), model.GetSettings<OoddVisionLanguageSettings>());
    }

    [TestMethod]
    public void BadOptionsNameTheirParameter()
    {
        var ml = new MLContext(seed: 1);
        void Expect(string parameter, string confidence, Action<OoddVisionLanguageOptions> change)
        {
            var options = Stream.Options(Stream[confidence]);
            change(options);
            var e = Assert.Throws<ArgumentException>(() => ml.Ood().OoddVisionLanguage(options), parameter);
            Assert.AreEqual($"OoddVisionLanguageOptions.{parameter}", e.ParamName, e.Message);
        }

        Expect("K2", "mcm", o => o.K2 = 0);
        Expect("K2", "mcm", o => o.K2 = o.Capacity + 1);
        Expect("Capacity", "mcm", o => o.Capacity = 0);
        Expect("UpdateBatch", "mcm", o => o.UpdateBatch = 0);
        Expect("Temperature", "mcm", o => o.Temperature = 0);
        Expect("Temperature", "mcm", o => o.Temperature = float.NaN);
        Expect("NegativeLabelEmbeddings", "mcm", o => o.NegativeLabelEmbeddings = Stream.NegativeLabels);
        Expect("NegativeLabelEmbeddings", "neglabel", o => o.NegativeLabelEmbeddings = null);
        Expect("Groups", "neglabel", o => o.Groups = 0);
        Expect("Groups", "neglabel", o => o.Groups = Stream.NegativeLabels.Length + 1);
        Expect("IdLabelEmbeddings", "mcm", o => o.IdLabelEmbeddings = []);
        Expect("NegativeLabelEmbeddings", "neglabel", o => o.NegativeLabelEmbeddings = [new float[3]]);
    }

    [TestMethod]
    public void ImageColumnOfAnotherWidthIsRefusedNamingIt()
    {
        var ml = new MLContext(seed: 1);
        var narrow = ImageEmbeddings.Create(ml, Stream.Rows.Take(3).Select(r => r[..^1]).ToArray());
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().OoddVisionLanguage(Stream.Options(Stream["mcm"])).Fit(narrow));
        StringAssert.Contains(error.Message, "'Embedding'");
        StringAssert.Contains(error.Message, "size 64");
    }

    private static float[] Scores(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float>("Oodd").ToArray();

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;
}
