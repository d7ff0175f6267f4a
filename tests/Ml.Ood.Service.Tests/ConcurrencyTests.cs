namespace Ml.Ood.Service.Tests;

/// <summary>64 concurrent clients: no error, and each response is its own input's (no cross-talk between batched requests).</summary>
[TestClass]
public sealed class ConcurrencyTests
{
    [TestMethod]
    [DataRow("Batching", 1, null)]
    [DataRow("Batching", 3, 1)] // several loops, each refilling its own input view under its own Transform
    [DataRow("Engine", 1, null)]
    [DataRow("Engine", 1, 1)]
    public async Task SixtyFourClientsEachGetTheirOwnScores(string mode, int batchWorkers, int? parallelism)
    {
        const int Clients = 64, RequestsEach = 8;
        // Every client sends distinct rows (1 to 3 per request), so that a row scored for another request would show.
        var embeddings = TestModels.Embeddings(Clients * RequestsEach * 3, 21);
        var expected = TestModels.OfflineEmbeddings(embeddings);
        (string, string)[] settings = [("MaxBatchDelayMs", "5"), ("MaxBatchSize", "64"), ("BatchWorkers", $"{batchWorkers}")];
        using var host = new ServiceHost(TestModels.EmbeddingModelPath, mode, parallelism is int p ? [.. settings, ("Parallelism", $"{p}")] : settings);
        using var client = host.CreateClient();
        // Awaited, not waited on: 64 blocked thread-pool threads would starve the in-process server of threads.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var tasks = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            await start.Task;
            for (int r = 0; r < RequestsEach; r++)
            {
                int first = (c * RequestsEach + r) * 3, count = 1 + (c + r) % 3;
                var rows = embeddings.Skip(first).Take(count).ToArray();
                var answers = await ServiceHost.ScoreAsync(client, ServiceHost.Json(new { embeddings = rows }));
                Assert.HasCount(count, answers, $"client {c} request {r}");
                for (int i = 0; i < count; i++)
                {
                    ServiceHost.AssertSame(expected[first + i], answers[i], $"{mode} client {c} request {r} row {i}");
                }
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(tasks);

        Assert.IsFalse(host.Log.Any(l => l.Contains("failed", StringComparison.OrdinalIgnoreCase)), string.Join("\n", host.Log));
    }
}
