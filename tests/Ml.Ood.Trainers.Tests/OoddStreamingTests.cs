using Microsoft.ML;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Trainers.Tests;

/// <summary>The streaming scorer of a test-time head: threads, snapshots, reset, and the saved state's checks.</summary>
[TestClass]
public sealed class OoddStreamingTests
{
    private static readonly OoddData Data = OoddData.Load();

    [TestMethod]
    public void EightThreadsLoseNoRowAndEqualASerialReplayInLockOrder()
    {
        var c = Data.Cases.Single(x => x.Alpha == 0.5);
        var ml = new MLContext(seed: 1);
        using var model = ml.Ood().Oodd(OoddData.Options(c)).Fit(Data.Train(ml));
        using var scorer = ml.Ood().CreateStreamingScorer(model);

        // Batches of several sizes (some above B, some short), 3 rounds of the stream, 8 threads taking them in turn.
        int[] sizes = [1, 7, 50, 13, 64, 3, 120, 42];
        var batches = new List<float[]>();
        for (int round = 0, row = 0, i = 0; round < 3; round++, row = 0)
        {
            while (row < Data.Stream.Length)
            {
                int n = Math.Min(sizes[i++ % sizes.Length], Data.Stream.Length - row);
                batches.Add([.. Data.Stream.Skip(row).Take(n).SelectMany(r => r)]);
                row += n;
            }
        }

        var results = new (long First, float[] Scores)[batches.Count];
        int next = -1;
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int b; (b = Interlocked.Increment(ref next)) < batches.Count;)
            {
                float[] scores = scorer.Score(batches[b], out long first);
                results[b] = (first, scores);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        long total = batches.Sum(b => (long)b.Length / Data.Width);
        Assert.AreEqual(total, scorer.RowsSeen, "no row lost");
        var order = Enumerable.Range(0, batches.Count).OrderBy(b => results[b].First).ToArray();
        long expectedFirst = 0;
        using var replay = ml.Ood().CreateStreamingScorer(model);
        foreach (int b in order)
        {
            Assert.AreEqual(expectedFirst, results[b].First, "the calls tile the stream");
            expectedFirst += batches[b].Length / Data.Width;
            CollectionAssert.AreEqual(replay.Score(batches[b]), results[b].Scores, $"batch {b} equals its serial replay");
        }
    }

    [TestMethod]
    public void SnapshotSavedAndLoadedContinuesAsTheLiveState()
    {
        var c = Data.Cases.Single(x => x.Alpha == 0.5);
        var ml = new MLContext(seed: 1);
        using var model = ml.Ood().Oodd(OoddData.Options(c)).Fit(Data.Train(ml));
        var head = Data.Stream.Take(150).ToArray();
        var tail = Data.Stream.Skip(150).ToArray();

        using var live = ml.Ood().CreateStreamingScorer(model);
        live.Score(head);
        using var saved = new MemoryStream();
        live.Save(saved);
        float[] expected = live.Score(tail);

        using var other = ml.Ood().CreateStreamingScorer(model);
        other.Score(tail);
        saved.Position = 0;
        other.Load(saved);
        Assert.AreEqual(150L, other.RowsSeen);
        CollectionAssert.AreEqual(expected, other.Score(tail), "a loaded snapshot continues bit for bit");

        other.Reset();
        using var fresh = ml.Ood().CreateStreamingScorer(model);
        CollectionAssert.AreEqual(fresh.Score(head), other.Score(head), "Reset returns to the starting state");

        // A snapshot read on its own (registry) carries its bank and scores the same on the CPU.
        saved.Position = 0;
        using var reader = new BinaryReader(saved);
        using var state = TestTimeStates.Read(reader);
        Assert.AreEqual("oodd", state.Kind);
        Assert.AreEqual(150L, state.RowsSeen);
        float[] alone = new float[c.Batch];
        var flat = tail.Take(c.Batch).SelectMany(r => r).ToArray();
        state.ScoreBatch(flat, c.Batch, alone);
        CollectionAssert.AreEqual(expected.Take(c.Batch).ToArray(), alone);
    }

    [TestMethod]
    public void SnapshotOfAnotherHeadIsRefusedAndLeavesTheStateAlone()
    {
        var c = Data.Cases.Single(x => x.Alpha == 0.5);
        var ml = new MLContext(seed: 1);
        using var half = ml.Ood().Oodd(OoddData.Options(c)).Fit(Data.Train(ml));
        using var all = ml.Ood().Oodd(OoddData.Options(Data.Cases.Single(x => x.Alpha == 1.0))).Fit(Data.Train(ml));
        using var a = ml.Ood().CreateStreamingScorer(half);
        using var b = ml.Ood().CreateStreamingScorer(all);
        b.Score(Data.Stream.Take(60).ToArray());
        using var saved = new MemoryStream();
        b.Save(saved);
        a.Score(Data.Stream.Take(10).ToArray());
        saved.Position = 0;
        var error = Assert.Throws<InvalidDataException>(() => a.Load(saved));
        StringAssert.Contains(error.Message, "another bank");
        Assert.AreEqual(10L, a.RowsSeen);
    }

    [TestMethod]
    public void UnknownTruncatedOrCorruptStatesAreClearErrors()
    {
        var c = Data.Cases.Single(x => x.Alpha == 1.0);
        var ml = new MLContext(seed: 1);
        using var model = ml.Ood().Oodd(OoddData.Options(c)).Fit(Data.Train(ml));
        using var scorer = ml.Ood().CreateStreamingScorer(model);
        scorer.Score(Data.Stream.Take(70).ToArray());
        using var saved = new MemoryStream();
        scorer.Save(saved);
        byte[] bytes = saved.ToArray();

        static InvalidDataException Read(byte[] payload)
        {
            using var reader = new BinaryReader(new MemoryStream(payload));
            return Assert.Throws<InvalidDataException>(() => TestTimeStates.Read(reader));
        }

        StringAssert.Contains(Read([]).Message, "ends before naming its kind");
        using (var unknown = new MemoryStream())
        {
            using (var writer = new BinaryWriter(unknown, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write("nosuchhead");
            }
            StringAssert.Contains(Read(unknown.ToArray()).Message, "'nosuchhead'");
        }

        StringAssert.Contains(Read(bytes[..(bytes.Length / 2)]).Message, "'oodd'");
        StringAssert.Contains(Read(bytes[..40]).Message, "truncated or corrupt");
        var flipped = (byte[])bytes.Clone();
        flipped[^200] ^= 0x40;
        StringAssert.Contains(Read(flipped).Message, "'oodd'");
    }

    [TestMethod]
    public void ALargeBankLoadsFromExternalDataAndItsSnapshotsRoundTrip()
    {
        // 8,400 x 512 floats = 17 MB: above the 16 MB at which a head is kept in ONNX's external-data form on load.
        var random = new Random(7);
        float[][] Rows(int n) => [.. Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 512).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())];
        var train = Rows(8400);
        var stream = Rows(300);
        var ml = new MLContext(seed: 1);
        var trainView = OoddData.Rows(ml, train, 512);
        using var model = ml.Ood().Oodd(new OoddOptions { FeatureColumnName = "Features", Alpha = 1, K1 = 10, K2 = 10, Capacity = 100, UpdateBatch = 64 })
            .Fit(trainView);
        float[] expected = OoddTests.Scores(model, OoddData.Rows(ml, stream, 512));
        string zip = Path.Combine(Path.GetTempPath(), $"oodd-large-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, trainView.Schema, zip);
            using var loaded = (OodLoadedModel)ml.Ood().Load(zip, out _);
            CollectionAssert.AreEqual(expected, OoddTests.Scores(loaded, OoddData.Rows(ml, stream, 512)), "ml.Ood().Load of a large bank");
            using var scorer = ml.Ood().CreateStreamingScorer(loaded);
            var first = stream.Take(128).ToArray();
            scorer.Score(first);
            using var saved = new MemoryStream();
            scorer.Save(saved);
            saved.Position = 0;
            using var other = ml.Ood().CreateStreamingScorer(model);
            other.Load(saved);
            var rest = stream.Skip(128).ToArray();
            CollectionAssert.AreEqual(expected.Skip(128).ToArray(), other.Score(rest), "a snapshot of the loaded head continues on the fitted one");
        }
        finally
        {
            File.Delete(zip);
        }
    }
}
