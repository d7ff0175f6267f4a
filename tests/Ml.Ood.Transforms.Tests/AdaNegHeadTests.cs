using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// AdaNeg through ML.NET: <c>ml.Ood().AdaNeg(...).Fit(view).Transform(view)</c>, the streaming scorer, and a model
/// saved and restored with <c>ml.Ood().Load</c>, each against the numpy transcription (adaneg_stream.json) within 1e-5.
/// </summary>
[TestClass]
public sealed class AdaNegHeadTests
{
    private static AdaNegStream Stream => AdaNegStream.Instance;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void TransformScoresTheStreamInCursorOrderAndASecondPassAlike()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, Stream.Rows);
        // A block size that divides nothing: it must not matter (the update batch B is the file's).
        using var model = Estimator(ml, blockSize: 7).Fit(data);
        Assert.AreEqual(Stream.Batch, model.UpdateBatch);

        var first = model.Transform(data).GetColumn<float>("AdaNeg").ToArray();
        AdaNegTests.AssertScores(Stream.ExpectedScores, first, "Transform");
        CollectionAssert.AreEqual(first, model.Transform(data).GetColumn<float>("AdaNeg").ToArray(), "a second pass starts from the fitted state");
        CollectionAssert.AreEqual(Enumerable.Range(0, Stream.Rows.Length).ToArray(), model.Transform(data).GetColumn<int>("Id").ToArray(), "Id passes through");
    }

    [TestMethod]
    public void BlockSizeNeverChangesAScore()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, Stream.Rows);
        var reference = Score(1);
        foreach (int block in new[] { 7, Stream.Batch + 3 })
        {
            CollectionAssert.AreEqual(reference, Score(block), $"block size {block}, bit for bit");
        }

        float[] Score(int block)
        {
            using var model = Estimator(ml, block).Fit(data);
            return model.Transform(data).GetColumn<float>("AdaNeg").ToArray();
        }
    }

    [TestMethod]
    public void HeadGraphIsTheVanillaGroupedNegLabelScore()
    {
        // The ONNX graph the head saves (its starting state's "graph 1"): -conf_in_vanilla, the file's float64 values.
        var ml = new MLContext(seed: 1);
        using var model = Estimator(ml).Fit(ImageEmbeddings.Create(ml, Stream.Rows.Take(3).ToArray()));
        int rows = Stream.Batch;
        var scores = new float[rows];
        model.HeadState.Run(Stream.Flat(0, rows), rows, scores);
        AdaNegTests.AssertScores(Stream.ExpectedVanillaConfidence.Take(rows).Select(c => -c).ToArray(), scores, "graph");
    }

    [TestMethod]
    public void SettingsAreSavedWithTheHead()
    {
        var ml = new MLContext(seed: 1);
        using var model = Estimator(ml).Fit(ImageEmbeddings.Create(ml, Stream.Rows.Take(3).ToArray()));
        var o = Stream.Options;
        var expected = new AdaNegSettings(o.MemoryLength, o.Threshold, o.Gap, o.Lambda, o.Groups, o.Temperature, o.UpdateBatch,
            Stream.IdLabels.Length, Stream.NegativeLabels.Length, null);
        Assert.AreEqual(expected, model.GetSettings<AdaNegSettings>());
        Assert.AreEqual("adaneg", model.Head.Kind);
    }

    [TestMethod]
    public void StreamingScorerMatchesInOneCallOrInUnevenCalls()
    {
        var ml = new MLContext(seed: 1);
        using var model = Estimator(ml).Fit(ImageEmbeddings.Create(ml, Stream.Rows.Take(3).ToArray()));
        using var scorer = ml.Ood().CreateStreamingScorer(model);
        AdaNegTests.AssertScores(Stream.ExpectedScores, scorer.Score(Stream.Rows), "one call");
        Assert.AreEqual(Stream.Rows.Length, scorer.RowsSeen);

        // Calls of whole update batches, two at a time then one: the same stream.
        scorer.Reset();
        var scores = new List<float>();
        for (int start = 0; start < Stream.Rows.Length; start += 3 * Stream.Batch)
        {
            scores.AddRange(scorer.Score(Stream.Rows.Skip(start).Take(2 * Stream.Batch).ToArray()));
            scores.AddRange(scorer.Score(Stream.Rows.Skip(start + 2 * Stream.Batch).Take(Stream.Batch).ToArray()));
        }
        AdaNegTests.AssertScores(Stream.ExpectedScores, scores, "batched calls after Reset");
    }

    [TestMethod]
    public void AStreamingScorersSavedSnapshotContinuesInAnotherScorer()
    {
        // The streaming scorer's Load once refused every AdaNeg snapshot (it knew only OODD's).
        var ml = new MLContext(seed: 1);
        using var model = Estimator(ml).Fit(ImageEmbeddings.Create(ml, Stream.Rows.Take(3).ToArray()));
        int half = Stream.Batch * (Stream.Rows.Length / Stream.Batch / 2);
        using var first = ml.Ood().CreateStreamingScorer(model);
        var scores = first.Score(Stream.Rows.Take(half).ToArray()).ToList();
        using var saved = new MemoryStream();
        first.Save(saved);
        saved.Position = 0;
        using var second = ml.Ood().CreateStreamingScorer(model);
        second.Load(saved);
        Assert.AreEqual(half, second.RowsSeen);
        scores.AddRange(second.Score(Stream.Rows.Skip(half).ToArray()));
        AdaNegTests.AssertScores(Stream.ExpectedScores, scores, "first half in one scorer, the rest in another after Save/Load");
    }

    [TestMethod]
    public void SavedPipelineLoadsWithOodLoadAndScoresAlike()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, Stream.Rows);
        using var model = Estimator(ml).Fit(data);
        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"adaneg-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, zip);
        try
        {
            var loaded = ml.Ood().Load(zip, out _);
            AdaNegTests.AssertScores(Stream.ExpectedScores, loaded.Transform(data).GetColumn<float>("AdaNeg").ToArray(), "after ml.Ood().Load");
            (loaded as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void PredictionEngineIsRefusedPointingToTheStreamingScorer()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, Stream.Rows.Take(3).ToArray());
        using var model = Estimator(ml).Fit(data);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => ImageEmbeddings.PerRow(ml, model, data, Stream.Rows.Take(3).ToArray(), "AdaNeg"));
        StringAssert.Contains(error.Message, "adaneg");
    }

    [TestMethod]
    public void ImageColumnOfAnotherWidthIsRefusedNamingIt()
    {
        var ml = new MLContext(seed: 1);
        var narrow = ImageEmbeddings.Create(ml, Stream.Rows.Take(3).Select(r => r[..^1]).ToArray());
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Estimator(ml).Fit(narrow));
        StringAssert.Contains(error.Message, "'Embedding'");
        StringAssert.Contains(error.Message, "size 64");
    }

    [TestMethod]
    public void BadOptionFailsWhenTheEstimatorIsCreated()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.Ood().AdaNeg("AdaNeg", "Embedding", Stream.IdLabels, Stream.NegativeLabels, new AdaNegOptions { Gap = 1f }));
        Assert.AreEqual("AdaNegOptions.Gap", error.ParamName);
    }

    private static AdaNegEstimator Estimator(MLContext ml, int? blockSize = null)
        => ml.Ood().AdaNeg("AdaNeg", "Embedding", Stream.IdLabels, Stream.NegativeLabels, Stream.Options.Copy(),
            blockSize is int b ? new OodExecutionOptions { BlockSize = b } : null);
}
