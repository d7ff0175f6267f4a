using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// AdaNeg with the sample-adaptive proxies (the official <c>samada = True</c>, <see cref="AdaNegOptions.SampleAdaptiveBeta"/>)
/// against the numpy transcription (adaneg_samada_stream.json: the stream and labels of adaneg_stream.json, beta 5):
/// every score within 1e-5 through the state, the pipeline, the streaming scorer and a saved model.
/// </summary>
[TestClass]
public sealed class AdaNegSampleAdaptiveTests
{
    private static AdaNegStream Stream => AdaNegStream.SampleAdaptive;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void TheFileIsTheMeanProxyStreamScoredAdaptively()
    {
        var mean = AdaNegStream.Instance;
        Assert.AreEqual(5, Stream.Options.SampleAdaptiveBeta);
        Assert.IsNull(mean.Options.SampleAdaptiveBeta);
        CollectionAssert.AreEqual(mean.Rows.SelectMany(r => r).ToArray(), Stream.Rows.SelectMany(r => r).ToArray());
        Assert.AreEqual(mean.Replacements, Stream.Replacements, "samada changes the scores, not the memory decisions");
        double largest = mean.ExpectedScores.Zip(Stream.ExpectedScores, (a, b) => Math.Abs(a - b)).Max();
        Assert.IsGreaterThan(1e-2, largest, "the two files differ far beyond the tolerance");
    }

    [TestMethod]
    public void EveryScoreAndTheMemoryDecisionsMatchTheTranscription()
    {
        using var state = Stream.NewState();
        var scores = Stream.Feed(state, 0, Stream.Rows.Length);
        AdaNegTests.AssertScores(Stream.ExpectedScores, scores, "samada stream");
        Assert.AreEqual(Stream.Appends, state.Memory.Appends, "appends");
        Assert.AreEqual(Stream.Replacements, state.Memory.Replacements, "replacements");
    }

    [TestMethod]
    public void BetaZeroWeighsEverySlotAlikeAndGivesTheMeanProxyScores()
    {
        // exp(0) = 1 for every slot: p = the slots' sum, the mean proxy's direction (the other file's float64 values).
        var mean = AdaNegStream.Instance;
        using var state = mean.NewState(o => o.SampleAdaptiveBeta = 0);
        AdaNegTests.AssertScores(mean.ExpectedScores, mean.Feed(state, 0, mean.Rows.Length), "beta 0");
    }

    [TestMethod]
    public void PipelineScorerAndSavedModelMatchTheTranscription()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, Stream.Rows);
        using var model = ml.Ood().AdaNeg("AdaNeg", "Embedding", Stream.IdLabels, Stream.NegativeLabels, Stream.Options.Copy(),
            new OodExecutionOptions { BlockSize = 7 }).Fit(data);
        Assert.AreEqual(5, model.GetSettings<AdaNegSettings>().SampleAdaptiveBeta);
        var first = model.Transform(data).GetColumn<float>("AdaNeg").ToArray();
        AdaNegTests.AssertScores(Stream.ExpectedScores, first, "Transform");
        CollectionAssert.AreEqual(first, model.Transform(data).GetColumn<float>("AdaNeg").ToArray(), "a second pass");
        using (var scorer = ml.Ood().CreateStreamingScorer(model))
        {
            CollectionAssert.AreEqual(first, scorer.Score(Stream.Rows), "streaming scorer, bit for bit");
        }

        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"adaneg-samada-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, zip);
        try
        {
            using var loaded = (OodLoadedModel)ml.Ood().Load(zip, out _);
            CollectionAssert.AreEqual(first, loaded.Transform(data).GetColumn<float>("AdaNeg").ToArray(), "ml.Ood().Load, bit for bit");
            Assert.AreEqual(5, ((OodTestTimeTransformer)loaded.Model).GetSettings<AdaNegSettings>().SampleAdaptiveBeta);
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [TestMethod]
    public void ASnapshotContinuesAndIsRefusedByAMeanProxyHead()
    {
        int half = Stream.Batch * (Stream.Rows.Length / Stream.Batch / 2);
        using var live = Stream.NewState();
        var scores = Stream.Feed(live, 0, half).ToList();
        var bytes = Write(live);
        using var read = (AdaNegState)TestTimeStates.Read(new BinaryReader(new MemoryStream(bytes)));
        Assert.AreEqual(5, read.Rule.Settings.SampleAdaptiveBeta);
        using var sameHead = Stream.NewState();
        using var adopted = read.OnRuleOf(sameHead);
        Assert.IsNotNull(adopted);
        scores.AddRange(Stream.Feed(adopted, half, Stream.Rows.Length));
        AdaNegTests.AssertScores(Stream.ExpectedScores, scores, "snapshot continued");

        using var meanHead = Stream.NewState(o => o.SampleAdaptiveBeta = null);
        Assert.IsNull(read.OnRuleOf(meanHead), "a samada snapshot is not the mean-proxy head's");
    }

    [TestMethod]
    public void AVersionOneStateWithoutBetaIsStillRead()
    {
        // Format 1 (before samada): no beta after the shuffle seed. Build one from a format 2 state of the mean-proxy head.
        var mean = AdaNegStream.Instance;
        int half = mean.Batch * 3;
        using var live = mean.NewState();
        mean.Feed(live, 0, half);
        var bytes = Write(live).ToList();
        int version = 1 + AdaNegState.KindName.Length;
        int beta = version + sizeof(int) + (7 * sizeof(int)) + 1 + sizeof(int);
        Assert.AreEqual(2, BitConverter.ToInt32([.. bytes], version));
        Assert.AreEqual(0, bytes[beta], "no beta");
        bytes.RemoveRange(beta, 1 + sizeof(int));
        var v1 = bytes.ToArray();
        BitConverter.GetBytes(1).CopyTo(v1, version);
        using var read = (AdaNegState)TestTimeStates.Read(new BinaryReader(new MemoryStream(v1)));
        Assert.IsNull(read.Rule.Settings.SampleAdaptiveBeta);
        AdaNegTests.AssertScores(mean.ExpectedScores.Skip(half).ToArray(), mean.Feed(read, half, mean.Rows.Length), "version 1 state continued");
    }

    [TestMethod]
    [DataRow(-1)]
    [DataRow(AdaNegOptions.MaxBeta + 1)]
    public void BetaOutsideItsRangeIsRefusedNamingIt(int beta)
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Stream.NewState(o => o.SampleAdaptiveBeta = beta));
        Assert.AreEqual("AdaNegOptions.SampleAdaptiveBeta", error.ParamName);
        StringAssert.Contains(error.Message, "AdaNegOptions.SampleAdaptiveBeta");
    }

    private static byte[] Write(TestTimeState state)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            state.Write(writer);
        }
        return buffer.ToArray();
    }
}
