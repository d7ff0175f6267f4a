using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.Data;
using Ml.Ood.Samples;

namespace Ml.Ood.Service.Tests;

/// <summary>
/// Under light load the batching loop scores a batch of one row with a row engine (ServiceOptions.LoneRowsByEngine):
/// the same ONNX Runtime calls on one row as a cursor over a batch of one, so the same bits; a failing row fails only its
/// request.
/// </summary>
[TestClass]
public sealed class LoneRowTests
{
    [TestMethod]
    public async Task ALoneImageScoresAsInABatchOfOneBitForBit()
    {
        var pngs = TestModels.Images(6, 51).Select(i => Png.Grey(i, 28, 28)).ToArray();
        ServedInput Input(int i) => new(MLImage.CreateFromStream(new MemoryStream(pngs[i])), null);

        var byEngine = await ScoreOneByOneAsync(TestModels.ImageModelPath, loneByEngine: true, pngs.Length, Input);
        var byCursor = await ScoreOneByOneAsync(TestModels.ImageModelPath, loneByEngine: false, pngs.Length, Input);

        AssertSameBits(byCursor, byEngine);
    }

    [TestMethod]
    public async Task ALoneEmbeddingScoresAsInABatchOfOneBitForBit()
    {
        // A NaN row too: past the request reader (which refuses it with a 400), both paths score it NaN, flagged OOD.
        var embeddings = TestModels.Embeddings(8, 52).Append(Enumerable.Repeat(float.NaN, EmbeddingRow.Length).ToArray()).ToArray();
        ServedInput Input(int i) => new(null, embeddings[i]);

        var byEngine = await ScoreOneByOneAsync(TestModels.EmbeddingModelPath, loneByEngine: true, embeddings.Length, Input);
        var byCursor = await ScoreOneByOneAsync(TestModels.EmbeddingModelPath, loneByEngine: false, embeddings.Length, Input);

        AssertSameBits(byCursor, byEngine);
        Assert.IsTrue(byEngine[..^1].Any(r => r.Decisions["IsOod"]) && byEngine[..^1].Any(r => !r.Decisions["IsOod"]), "the rows should hold both decisions");
        Assert.IsTrue(float.IsNaN(byEngine[^1].Scores["KnnScore"]), $"{byEngine[^1].Scores["KnnScore"]}");
        Assert.IsTrue(byEngine[^1].Decisions["IsOod"], "a NaN row is flagged OOD");
    }

    [TestMethod]
    public async Task ALoneRowThatFailsFailsOnlyItsRequest()
    {
        var good = TestModels.Embeddings(1, 53)[0];
        var expected = await ScoreOneByOneAsync(TestModels.EmbeddingModelPath, loneByEngine: false, 1, _ => new ServedInput(null, good));
        var options = Options.Create(new ServiceOptions { ModelPath = TestModels.EmbeddingModelPath });
        using var host = new ModelHost(options, NullLogger<ModelHost>.Instance);
        await using var scorer = new BatchingScorer(host, NullLogger<BatchingScorer>.Instance);

        // The service's request reader refuses a wrong length with a 400; past it, the model itself must still refuse (here
        // ML.NET's classifier does, before any MlOod head reads the row).
        await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => scorer.ScoreAsync([new ServedInput(null, new float[EmbeddingRow.Length + 1])], CancellationToken.None));
        var answer = await scorer.ScoreAsync([new ServedInput(null, good)], CancellationToken.None);

        AssertSameBits(expected, [.. answer]);
        Assert.AreEqual(2, scorer.LoneRows, "both rows went through the row engine");
    }

    [TestMethod]
    public async Task AThrowingMetricsHandlerFailsItsLoneRowNotTheLoop()
    {
        var options = Options.Create(new ServiceOptions { ModelPath = TestModels.EmbeddingModelPath });
        using var host = new ModelHost(options, NullLogger<ModelHost>.Instance);
        await using var scorer = new BatchingScorer(host, NullLogger<BatchingScorer>.Instance);
        var embedding = TestModels.Embeddings(1, 57)[0];
        void Throw(int rows, TimeSpan elapsed) => throw new InvalidOperationException("metrics handler failed");
        scorer.BatchScored += Throw;

        // Bounded: a loop that died with the handler's exception would leave the request waiting forever.
        var error = await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => scorer.ScoreAsync([new ServedInput(null, embedding)], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        scorer.BatchScored -= Throw;
        var answer = await scorer.ScoreAsync([new ServedInput(null, embedding)], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.AreEqual("metrics handler failed", error.Message);
        Assert.HasCount(1, answer);
    }

    [TestMethod]
    [DataRow("true", true)]
    [DataRow("false", false)]
    public async Task TheSettingShowsInTheModelDescription(string setting, bool expected)
    {
        using var host = new ServiceHost(TestModels.EmbeddingModelPath, "Batching", ("LoneRowsByEngine", setting));
        using var client = host.CreateClient();

        using var model = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/model"));

        Assert.AreEqual(expected, model.RootElement.GetProperty("loneRowsByEngine").GetBoolean());
    }

    private static async Task<List<ScoredItem>> ScoreOneByOneAsync(string model, bool loneByEngine, int count, Func<int, ServedInput> input)
    {
        var options = Options.Create(new ServiceOptions { ModelPath = model, LoneRowsByEngine = loneByEngine });
        using var host = new ModelHost(options, NullLogger<ModelHost>.Instance);
        await using var scorer = new BatchingScorer(host, NullLogger<BatchingScorer>.Instance);
        var items = new List<ScoredItem>();
        for (int i = 0; i < count; i++)
        {
            using var one = input(i);
            items.AddRange(await scorer.ScoreAsync([one], CancellationToken.None));
        }

        Assert.AreEqual(loneByEngine ? count : 0, scorer.LoneRows, "rows scored by the row engine");
        return items;
    }

    private static void AssertSameBits(List<ScoredItem> expected, List<ScoredItem> actual)
    {
        Assert.HasCount(expected.Count, actual);
        for (int i = 0; i < expected.Count; i++)
        {
            CollectionAssert.AreEquivalent(expected[i].Scores.Keys.ToList(), actual[i].Scores.Keys.ToList());
            foreach (var (name, score) in expected[i].Scores)
            {
                Assert.AreEqual(BitConverter.SingleToInt32Bits(score), BitConverter.SingleToInt32Bits(actual[i].Scores[name]), $"row {i} {name}: {score} vs {actual[i].Scores[name]}");
            }
            CollectionAssert.AreEquivalent(expected[i].Decisions.ToList(), actual[i].Decisions.ToList(), $"row {i}");
            Assert.AreEqual(expected[i].PredictedClass, actual[i].PredictedClass, $"row {i}");
        }
    }
}
