using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// OODD against tests/ReferenceVectors/oodd.json (alpha 1 and 0.5, B = the file's batch), through the pipeline and the
/// streaming scorer, and the test-time semantics of docs/TEST-TIME-HEADS.md.
/// </summary>
[TestClass]
public sealed class OoddTests
{
    private static readonly OoddData Data = OoddData.Load();

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(1.0)]
    [DataRow(0.5)]
    public void PipelineMatchesReferenceAndASecondPass(double alpha)
    {
        var c = Data.Cases.Single(x => x.Alpha == alpha);
        var ml = new MLContext(seed: 1);
        using var model = ml.Ood().Oodd(OoddData.Options(c)).Fit(Data.Train(ml));
        var stream = Data.StreamView(ml);
        float[] first = Scores(model, stream);
        EmbeddingData.AssertClose(c.Score, first, $"alpha {alpha}, first pass");
        CollectionAssert.AreEqual(first, Scores(model, stream), "a second pass starts from the starting state again");
        var settings = model.GetSettings<OoddSettings>();
        Assert.AreEqual(new OoddSettings(c.K1, c.K2, c.Capacity, c.Batch, (int)Math.Floor(alpha * 600), alpha), settings);
    }

    [TestMethod]
    [DataRow(1.0)]
    [DataRow(0.5)]
    public void StreamingScorerInBatchesOfBMatchesReferenceAndPipeline(double alpha)
    {
        var c = Data.Cases.Single(x => x.Alpha == alpha);
        var ml = new MLContext(seed: 1);
        using var model = ml.Ood().Oodd(OoddData.Options(c)).Fit(Data.Train(ml));
        float[] pipeline = Scores(model, Data.StreamView(ml));
        using var scorer = ml.Ood().CreateStreamingScorer(model);
        var streamed = new List<float>();
        foreach (var chunk in Data.Stream.Chunk(c.Batch))
        {
            streamed.AddRange(scorer.Score(chunk));
        }

        EmbeddingData.AssertClose(c.Score, streamed, $"alpha {alpha}, streamed");
        CollectionAssert.AreEqual(pipeline, streamed.ToArray(), "streamed in batches of B = the pipeline, bit for bit");
        Assert.AreEqual(Data.Stream.Length, scorer.RowsSeen);

        // One call of the whole stream is cut into the same update batches.
        scorer.Reset();
        Assert.AreEqual(0, scorer.RowsSeen);
        CollectionAssert.AreEqual(pipeline, scorer.Score(Data.Stream), "one call, cut into batches of B");
    }

    [TestMethod]
    public void BlockSizeNeverChangesAScore()
    {
        var c = Data.Cases.Single(x => x.Alpha == 0.5);
        var ml = new MLContext(seed: 1);
        var train = Data.Train(ml);
        using var reference = ml.Ood().Oodd(OoddData.Options(c)).Fit(train);
        float[] expected = Scores(reference, Data.StreamView(ml));
        foreach (int block in new[] { 1, 7, c.Batch + 3 })
        {
            using var model = ml.Ood().Oodd(OoddData.Options(c, block)).Fit(train);
            Assert.AreEqual(block, model.BlockSize);
            CollectionAssert.AreEqual(expected, Scores(model, Data.StreamView(ml)), $"block size {block}");
        }
    }

    [TestMethod]
    public void SavedModelRestoresWithOodLoadAndRefusesPlainLoadAndPredictionEngine()
    {
        var c = Data.Cases.Single(x => x.Alpha == 0.5);
        var ml = new MLContext(seed: 1);
        var train = Data.Train(ml);
        using var model = ml.Ood().Oodd(OoddData.Options(c)).Fit(train);
        var stream = Data.StreamView(ml);
        float[] expected = Scores(model, stream);
        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"oodd-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, train.Schema, zip);

        using (var loaded = (IDisposable)ml.Ood().Load(zip, out _))
        {
            var restored = (ITransformer)loaded;
            CollectionAssert.AreEqual(expected, restored.Transform(stream).GetColumn<float>("OoddScore").ToArray(), "ml.Ood().Load");
            using var scorer = ml.Ood().CreateStreamingScorer(restored);
            CollectionAssert.AreEqual(expected, scorer.Score(Data.Stream), "streaming scorer of the loaded model");
        }

        var plain = ml.Model.Load(zip, out _);
        var error = Assert.Throws<Exception>(() => plain.Transform(stream).GetColumn<float>("OoddScore").ToArray());
        StringAssert.Contains(Innermost(error).Message, "ml.Ood().Load");

        var engineError = Assert.Throws<NotSupportedException>(
            () => ml.Model.CreatePredictionEngine<OoddStreamRow, ScoreRow>(model, inputSchemaDefinition: StreamDefinition()));
        StringAssert.Contains(engineError.Message, "oodd head writing 'OoddScore'");
        StringAssert.Contains(engineError.Message, "CreateStreamingScorer");
        Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Path.Combine(Path.GetTempPath(), "never.onnx")));
    }

    [TestMethod]
    public void OneCursorEvenWhenMlNetAsksForSeveral()
    {
        var c = Data.Cases.Single(x => x.Alpha == 1.0);
        var ml = new MLContext(seed: 1);
        using var model = ml.Ood().Oodd(OoddData.Options(c)).Fit(Data.Train(ml));
        var scored = model.Transform(Data.StreamView(ml));
        var cursors = scored.GetRowCursorSet(scored.Schema, 4);
        Assert.HasCount(1, cursors);
        foreach (var cursor in cursors)
        {
            cursor.Dispose();
        }
    }

    [TestMethod]
    public void ANonFiniteRowScoresNaNAndNeverEntersTheDictionary()
    {
        var c = Data.Cases.Single(x => x.Alpha == 1.0);
        var ml = new MLContext(seed: 1);
        using var model = ml.Ood().Oodd(OoddData.Options(c)).Fit(Data.Train(ml));
        var batch = Data.Stream.Take(c.Batch).Select(r => (float[])r.Clone()).ToArray();
        batch[10][3] = float.NaN;
        batch[20][0] = float.PositiveInfinity;
        using var withBad = ml.Ood().CreateStreamingScorer(model);
        float[] scores = withBad.Score(batch);
        Assert.IsTrue(float.IsNaN(scores[10]) && float.IsNaN(scores[20]), "fail closed: NaN, which a Threshold flags");
        using (var snapshot = withBad.Snapshot())
        {
            Assert.AreEqual(c.Batch - 2, snapshot.DictionaryRows, "the two bad rows are not held (B < q here)");
            Assert.AreEqual(c.Batch, snapshot.RowsSeen);
        }

        // Every other row scores as if the bad rows had not been in the batch at all.
        using var without = ml.Ood().CreateStreamingScorer(model);
        float[] clean = without.Score(batch.Where((_, i) => i is not (10 or 20)).ToArray());
        float[] rest = scores.Where((_, i) => i is not (10 or 20)).ToArray();
        for (int i = 0; i < clean.Length; i++)
        {
            Assert.AreEqual(clean[i], rest[i], 1e-6f, $"row {i}");
        }
        Assert.AreEqual(2L, CountNaN(Scores(model, Data.StreamView(ml, batch))), "the pipeline too");
    }

    [TestMethod]
    public void RowsOfTheWrongLengthThrowNamingTheColumn()
    {
        var c = Data.Cases.Single(x => x.Alpha == 1.0);
        var ml = new MLContext(seed: 1);
        using var model = ml.Ood().Oodd(OoddData.Options(c)).Fit(Data.Train(ml));
        var rows = Data.Stream.Take(5).ToArray();
        rows[3] = [.. rows[3].Take(Data.Width - 1)];
        var view = ml.Data.LoadFromEnumerable(rows.Select(f => new OoddStreamRow { Features = f }).ToList(), StreamDefinition());
        var error = Assert.Throws<InvalidOperationException>(() => Scores(model, view));
        StringAssert.Contains(error.Message, "'Features'");
        using var scorer = ml.Ood().CreateStreamingScorer(model);
        var streamError = Assert.Throws<ArgumentException>(() => scorer.Score(rows));
        StringAssert.Contains(streamError.Message, "'Features'");
        Assert.Throws<ArgumentException>(() => scorer.Score(new float[Data.Width + 1].AsSpan()));
        Assert.AreEqual(0, scorer.RowsSeen, "a refused call scores nothing");
    }

    [TestMethod]
    public void BadOptionsNameTheirParameter()
    {
        var ml = new MLContext(seed: 1);
        var c = Data.Cases.Single(x => x.Alpha == 1.0);
        void Expect(string parameter, Action<OoddOptions> change)
        {
            var options = OoddData.Options(c);
            change(options);
            var e = Assert.Throws<ArgumentException>(() => ml.Ood().Oodd(options).Fit(Data.Train(ml)), parameter);
            Assert.AreEqual(parameter, e.ParamName, e.Message);
        }

        Expect(nameof(OoddOptions.K1), o => o.K1 = 0);
        Expect(nameof(OoddOptions.K1), o => o.K1 = 601);
        Expect(nameof(OoddOptions.K2), o => o.K2 = 0);
        Expect(nameof(OoddOptions.K2), o => o.K2 = o.Capacity + 1);
        Expect(nameof(OoddOptions.Capacity), o => o.Capacity = 0);
        Expect(nameof(OoddOptions.UpdateBatch), o => o.UpdateBatch = 0);
        Expect(nameof(OoddOptions.Alpha), o => o.Alpha = 0);
        Expect(nameof(OoddOptions.Alpha), o => o.Alpha = 1.5);
        Expect(nameof(OoddOptions.LabelColumnName), o => { o.Alpha = 0.5; o.LogitsColumnName = null; });
    }

    internal static float[] Scores(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float>("OoddScore").ToArray();

    private static long CountNaN(float[] scores) => scores.LongCount(float.IsNaN);

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    internal static SchemaDefinition StreamDefinition()
    {
        var definition = SchemaDefinition.Create(typeof(OoddStreamRow));
        definition[nameof(OoddStreamRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Data.Width);
        return definition;
    }

    private sealed class ScoreRow
    {
        public float OoddScore { get; set; }
    }
}
