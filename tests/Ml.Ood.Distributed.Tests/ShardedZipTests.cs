using System.IO.Compression;
using System.Reflection;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Distributed.Tests;

/// <summary>A pipeline holding the sharded KNN transformer saved with ml.Model.Save and loaded with ml.Ood().LoadSharded (issue 15 item 3).</summary>
[TestClass]
public sealed class ShardedZipTests
{
    private const string ManifestEntryMarker = "knn_sharded";

    [TestMethod]
    public void APipelineSavedAsAZipLoadsWithLoadShardedBitForBit()
    {
        var (ml, train, test, queries) = Data();
        var single = ml.Ood().Knn("KnnScore", "Embedding", k: 5).Append(ml.Ood().Threshold("IsOod", "KnnScore")).Fit(train).Transform(test);
        var fitted = Pipeline(ml, shards: 3).Fit(train);
        var original = fitted.Transform(test);
        string zip = TempPath("zip");
        ml.Model.Save(fitted, train.Schema, zip);

        var loaded = ml.Ood().LoadSharded(zip, TestCluster3.Cluster.Client, out var schema);
        var scored = loaded.Transform(test);

        Assert.AreEqual(train.Schema["Embedding"].Type, schema["Embedding"].Type);
        float[] scores = scored.GetColumn<float>("KnnScore").ToArray();
        bool[] decisions = scored.GetColumn<bool>("IsOod").ToArray();
        Vectors.AssertBitwise(original.GetColumn<float>("KnnScore").ToArray(), scores, "loaded against the fitted pipeline");
        Vectors.AssertBitwise(single.GetColumn<float>("KnnScore").ToArray(), scores, "loaded against the single-bank head");
        CollectionAssert.AreEqual(original.GetColumn<bool>("IsOod").ToArray(), decisions, "decisions against the fitted pipeline");
        CollectionAssert.AreEqual(single.GetColumn<bool>("IsOod").ToArray(), decisions, "decisions against the single-bank pipeline");
        Assert.IsTrue(decisions.Any(d => d) && decisions.Any(d => !d), "the threshold splits the queries, so the decisions are checked both ways");

        var sharded = Inner(loaded).OfType<ShardedKnnTransformer>().Single();
        var fittedSharded = fitted.OfType<ShardedKnnTransformer>().Single();
        Assert.AreEqual(fittedSharded.Calls, sharded.Calls);
        CollectionAssert.AreEqual(fittedSharded.Manifest.Shards.ToArray(), sharded.Manifest.Shards.ToArray());
        Assert.AreEqual(fittedSharded.Manifest with { Shards = [] }, sharded.Manifest with { Shards = [] });

        var engine = ml.Model.CreatePredictionEngine<EmbeddingRow, Prediction>(loaded, schema);
        var predictions = queries.Select(q => engine.Predict(new EmbeddingRow { Embedding = q })).ToArray();
        Vectors.AssertBitwise(scores, [.. predictions.Select(p => p.KnnScore)], "PredictionEngine over the loaded pipeline");
        CollectionAssert.AreEqual(decisions, predictions.Select(p => p.IsOod).ToArray(), "PredictionEngine decisions");
        (loaded as IDisposable)?.Dispose();
        File.Delete(zip);
    }

    [TestMethod]
    public void VerifyPassesAndAFlippedManifestByteIsRefused()
    {
        var (ml, train, _, _) = Data();
        string zip = TempPath("zip");
        ml.Model.Save(Pipeline(ml, shards: 2).Fit(train), train.Schema, zip);

        var verified = ml.Ood().Verify(zip);
        var head = verified.Heads.Single(h => h.Kind == ManifestEntryMarker);
        Assert.IsTrue(head.HashVerified, "the saved form is sealed with a content hash");
        Assert.AreEqual("KnnScore", head.OutputColumnName);
        Assert.IsTrue(verified.Heads.Any(h => h.OutputColumnName == "IsOod"), "the threshold head is checked too");

        // "FirstRow":150 of shard 1 becomes "FirstRow":149: a manifest that still parses; the entry's CRC is recomputed, so only
        // the content hash can catch it.
        string flipped = Rewrite(zip, bytes => Replace(bytes, "\"FirstRow\":150", "\"FirstRow\":149"));

        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().LoadSharded(flipped, TestCluster3.Cluster.Client, out _));
        StringAssert.Contains(error.Message, "does not match its content hash");
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Verify(flipped));
        File.Delete(zip);
        File.Delete(flipped);
    }

    [TestMethod]
    public void PlainLoadsRefuseNamingLoadSharded()
    {
        var (ml, train, _, _) = Data();
        string zip = TempPath("zip");
        ml.Model.Save(Pipeline(ml, shards: 2).Fit(train), train.Schema, zip);

        var plain = Assert.Throws<Exception>(() => ml.Model.Load(zip, out _));
        StringAssert.Contains(Messages(plain), OodErrors.ShardedHeadLoadedWithoutClient, "ml.Model.Load is refused while ML.NET loads it");
        var ood = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(zip, out _));
        StringAssert.Contains(ood.Message, "ml.Ood().LoadSharded(path, clusterClient, out schema)", "ml.Ood().Load without a client");
        var json = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().LoadSharded(zip, TestCluster3.Cluster.Client));
        StringAssert.Contains(json.Message, "it is an ML.NET model zip", "the manifest overload names the zip overload");
        File.Delete(zip);
    }

    [TestMethod]
    public void TheSavedFormsMappingNeverScores()
    {
        // A saved form left in place (never restored) must throw at its first row, never pass the stub's zeros on.
        var notRestored = (Action<OneSlotScore, ScalarScore>)typeof(ShardedHeadMappingFactory)
            .GetProperty("NotRestored", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => notRestored(new OneSlotScore(), new ScalarScore()));
        Assert.AreEqual(OodErrors.ShardedHeadNotRestored, error.Message);
        Assert.AreEqual(OodErrors.ShardedHeadLoadedWithoutClient,
            Assert.ThrowsExactly<InvalidOperationException>(() => new ShardedHeadMappingFactory().GetMapping()).Message);
    }

    [TestMethod]
    public void ALoneShardedHeadSavesAndLoadsToo()
    {
        var (ml, train, test, _) = Data();
        var sharded = ShardedKnnTests.Fit(ml, train, k: 5, shards: 3, blockSize: 16);
        string zip = TempPath("zip");
        ml.Model.Save(sharded, train.Schema, zip);

        var loaded = ml.Ood().LoadSharded(zip, TestCluster3.Cluster.Client, out _);

        Assert.IsInstanceOfType<ShardedKnnTransformer>(Inner(loaded).Single());
        Vectors.AssertBitwise(sharded.Transform(test).GetColumn<float>("KnnScore").ToArray(),
            loaded.Transform(test).GetColumn<float>("KnnScore").ToArray(), "a lone sharded head");
        (loaded as IDisposable)?.Dispose();
        File.Delete(zip);
    }

    [TestMethod]
    public void SettingsThatDoNotMatchTheHeadAreRefused()
    {
        // Reachable only through a head re-sealed with its content hash recomputed: the restorer still checks what it reads.
        var (ml, train, _, _) = Data();
        var sharded = ShardedKnnTests.Fit(ml, train, k: 5, shards: 2, blockSize: 16);
        string json = new ShardedModelFile(sharded.Manifest, sharded.Calls).ToJson();
        var client = TestCluster3.Cluster.Client;

        var restored = ShardedZipForm.Restore(Info("Embedding", 16, new() { ["manifest"] = json }), client);
        Assert.AreEqual(json, new ShardedModelFile(restored.Manifest, restored.Calls).ToJson(), "the settings as saved restore");
        AssertRefused(Info("Embedding", 16, []), "its setting 'manifest' is missing");
        AssertRefused(Info("Embedding", 16, new() { ["manifest"] = "{" }), "");
        AssertRefused(Info("Other", 16, new() { ["manifest"] = json }), "its manifest reads 'Embedding'[16]");
        AssertRefused(Info("Embedding", 8, new() { ["manifest"] = json }), "where the head reads 'Embedding'[8]");
        AssertRefused(Info("Embedding", 16, new() { ["manifest"] = json.Replace("\"K\":5", "\"K\":0", StringComparison.Ordinal) }),
            "k or the width below 1");

        void AssertRefused(OodHeadInfo info, string problem)
        {
            var error = Assert.ThrowsExactly<InvalidDataException>(() => ShardedZipForm.Restore(info, client));
            StringAssert.StartsWith(error.Message, "The sharded KNN head writing 'KnnScore' in this model cannot be restored: ");
            StringAssert.Contains(error.Message, problem);
        }
    }

    /// <summary>A head description as the saved form's metadata would give it (its constructor is internal to Ml.Ood.Transforms).</summary>
    private static OodHeadInfo Info(string input, int width, Dictionary<string, string> parameters)
        => (OodHeadInfo)Activator.CreateInstance(typeof(OodHeadInfo), BindingFlags.NonPublic | BindingFlags.Instance, null,
            ["knn_sharded", input, "KnnScore", width, OodHeadOutputKind.Score, parameters, false], null)!;

    private static (MLContext Ml, IDataView Train, IDataView Test, float[][] Queries) Data()
    {
        var (bank, queries, _) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        return (ml, Vectors.Create(ml, bank), Vectors.Create(ml, queries), queries);
    }

    private static EstimatorChain<ITransformer> Pipeline(MLContext ml, int shards)
        => ml.Ood().ShardedKnn(TestCluster3.Cluster.Client, TestCluster3.Store, new ShardedKnnOptions
        {
            Knn = new KnnOptions { InputColumnName = "Embedding", OutputColumnName = "KnnScore", K = 5 },
            Shards = shards,
            BlockSize = 16,
            RetryDelay = TimeSpan.FromMilliseconds(50),
        }).Append<ITransformer>(ml.Ood().Threshold("IsOod", "KnnScore"));

    private static IEnumerable<ITransformer> Inner(ITransformer model) => model switch
    {
        OodLoadedModel loaded => Inner(loaded.Model),
        TransformerChain<ITransformer> chain => chain.SelectMany(Inner),
        _ => [model],
    };

    private static string TempPath(string extension) => Path.Combine(Path.GetTempPath(), $"sharded-{Guid.NewGuid():N}.{extension}");

    /// <summary>A copy of the .zip with the sharded head's entry changed; the new .zip's CRCs are its own.</summary>
    private static string Rewrite(string zip, Func<byte[], byte[]> change)
    {
        string path = TempPath("zip");
        using var input = ZipFile.OpenRead(zip);
        using var output = ZipFile.Open(path, ZipArchiveMode.Create);
        int changed = 0;
        foreach (var entry in input.Entries)
        {
            using var from = entry.Open();
            using var copy = new MemoryStream();
            from.CopyTo(copy);
            byte[] bytes = copy.ToArray();
            if (Encoding.UTF8.GetString(bytes).Contains(ManifestEntryMarker, StringComparison.Ordinal) && entry.Name == "OnnxModel")
            {
                bytes = change(bytes);
                changed++;
            }

            using var to = output.CreateEntry(entry.FullName).Open();
            to.Write(bytes);
        }
        Assert.AreEqual(1, changed, "one entry holds the sharded head's saved form");
        return path;
    }

    private static byte[] Replace(byte[] bytes, string from, string to)
    {
        byte[] a = Encoding.UTF8.GetBytes(from);
        byte[] b = Encoding.UTF8.GetBytes(to);
        int at = bytes.AsSpan().IndexOf(a);
        Assert.IsGreaterThanOrEqualTo(0, at, $"the saved manifest holds {Encoding.UTF8.GetString(a)}");
        Assert.AreEqual(a.Length, b.Length);
        byte[] result = (byte[])bytes.Clone();
        b.CopyTo(result, at);
        return result;
    }

    private static string Messages(Exception e)
    {
        var text = new StringBuilder();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            text.AppendLine(x.Message);
        }

        return text.ToString();
    }

    private sealed class Prediction
    {
        public float KnnScore { get; set; }

        public bool IsOod { get; set; }
    }
}
