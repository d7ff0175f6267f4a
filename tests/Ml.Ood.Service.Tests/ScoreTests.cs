using System.Text.Json;
using Ml.Ood.Samples;

namespace Ml.Ood.Service.Tests;

/// <summary>The service's answers equal the offline pipeline's (1e-5), in both modes, for embeddings and for images.</summary>
[TestClass]
public sealed class ScoreTests
{
    [TestMethod]
    [DataRow("Batching")]
    [DataRow("Engine")]
    public async Task EmbeddingsScoreAsOffline(string mode)
    {
        var embeddings = TestModels.Embeddings(40, 7);
        var expected = TestModels.OfflineEmbeddings(embeddings);
        using var host = new ServiceHost(TestModels.EmbeddingModelPath, mode);
        using var client = host.CreateClient();

        var batch = await ServiceHost.ScoreAsync(client, ServiceHost.Json(new { embeddings }));
        var single = await ServiceHost.ScoreAsync(client, ServiceHost.Json(new { embedding = embeddings[3] }));

        Assert.HasCount(embeddings.Length, batch);
        for (int i = 0; i < embeddings.Length; i++)
        {
            ServiceHost.AssertSame(expected[i], batch[i], $"{mode} row {i}");
        }
        ServiceHost.AssertSame(expected[3], single[0], $"{mode} single");
        Assert.IsTrue(expected.Any(e => e.IsOod) && expected.Any(e => !e.IsOod), "the rows should hold both decisions");
    }

    [TestMethod]
    [DataRow("Batching")]
    [DataRow("Engine")]
    public async Task ImagesScoreAsOffline(string mode)
    {
        var images = TestModels.Images(12, 11);
        var expected = TestModels.OfflineImages(images);
        using var host = new ServiceHost(TestModels.ImageModelPath, mode);
        using var client = host.CreateClient();

        var raw = await ServiceHost.ScoreAsync(client, ServiceHost.Image(Png.Grey(images[5], 28, 28)));
        var multipart = await ServiceHost.ScoreAsync(client, ServiceHost.Multipart(images.Select(i => Png.Grey(i, 28, 28))));

        ServiceHost.AssertSame(expected[5], raw[0], $"{mode} raw");
        Assert.HasCount(images.Length, multipart);
        for (int i = 0; i < images.Length; i++)
        {
            ServiceHost.AssertSame(expected[i], multipart[i], $"{mode} image {i}");
        }
    }

    [TestMethod]
    public async Task HealthAndModelDescribeTheService()
    {
        using var host = new ServiceHost(TestModels.EmbeddingModelPath);
        using var client = host.CreateClient();

        using var health = JsonDocument.Parse(await client.GetStringAsync("/health"));
        using var model = JsonDocument.Parse(await client.GetStringAsync("/model"));

        Assert.AreEqual("ok", health.RootElement.GetProperty("status").GetString());
        var root = model.RootElement;
        Assert.AreEqual("embedding", root.GetProperty("input").GetProperty("kind").GetString());
        Assert.AreEqual(8, root.GetProperty("input").GetProperty("length").GetInt32());
        var kinds = root.GetProperty("heads").EnumerateArray().Select(h => h.GetProperty("kind").GetString()).ToArray();
        CollectionAssert.AreEquivalent(new[] { "energy", "knn", "threshold" }, kinds);
        var threshold = root.GetProperty("heads").EnumerateArray().Single(h => h.GetProperty("kind").GetString() == "threshold");
        Assert.AreEqual(TestModels.EmbeddingThreshold, threshold.GetProperty("threshold").GetSingle());
        CollectionAssert.AreEqual(new[] { "EnergyScore", "KnnScore" }, root.GetProperty("scores").EnumerateArray().Select(s => s.GetString()).ToArray());
        Assert.AreEqual("cpu", root.GetProperty("device").GetString());
        Assert.AreEqual(0, root.GetProperty("encoders").GetArrayLength(), "the embedding model has no encoder");
        var versions = root.GetProperty("versions");
        StringAssert.StartsWith(versions.GetProperty("onnxRuntime").GetString(), "1.31.0");
        StringAssert.StartsWith(versions.GetProperty("mlnet").GetString(), "5.0.1");
    }

    [TestMethod]
    public async Task TheImageModelsEncoderIsServedBatched()
    {
        using var host = new ServiceHost(TestModels.ImageModelPath);
        using var client = host.CreateClient();
        using var model = JsonDocument.Parse(await client.GetStringAsync("/model"));
        var encoder = model.RootElement.GetProperty("encoders").EnumerateArray().Single();
        CollectionAssert.AreEqual(new[] { "input" }, encoder.GetProperty("inputs").EnumerateArray().Select(n => n.GetString()).ToArray());
        CollectionAssert.AreEqual(new[] { "embedding", "logits" }, encoder.GetProperty("outputs").EnumerateArray().Select(n => n.GetString()).ToArray());
    }
}
