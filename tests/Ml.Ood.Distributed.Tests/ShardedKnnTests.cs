using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Distributed.Tests;

/// <summary>Sharded KNN over three silos against the single-bank head and tests/ReferenceVectors/knn.json.</summary>
[TestClass]
public sealed class ShardedKnnTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(1, 1)]
    [DataRow(5, 2)]
    [DataRow(50, 3)]
    [DataRow(1, 3)]
    [DataRow(5, 7)]
    [DataRow(50, 60)]
    public void ScoresEqualTheSingleBankHeadBitForBit(int k, int shards)
    {
        var (bank, queries, cases) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        var train = Vectors.Create(ml, bank);
        var test = Vectors.Create(ml, queries);
        var single = ml.Ood().Knn("KnnScore", "Embedding", k: k).Fit(train).Transform(test).GetColumn<float>("KnnScore").ToArray();
        var sharded = Fit(ml, train, k, shards, blockSize: 16);
        Assert.HasCount(shards, sharded.Manifest.Shards);
        Assert.AreEqual(bank.Length, sharded.Manifest.Shards.Sum(s => s.Rows));

        var scores = sharded.Transform(test).GetColumn<float>("KnnScore").ToArray();

        Vectors.AssertBitwise(single, scores, $"k={k}, S={shards}");
        var expected = Vectors.Expected(cases, k);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], scores[i], 1e-5, $"k={k}, S={shards}, row {i} against the reference");
        }
    }

    [TestMethod]
    public void PredictionEngineAndLoadShardedGiveTheBatchedScores()
    {
        var (bank, queries, _) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        var train = Vectors.Create(ml, bank);
        var test = Vectors.Create(ml, queries);
        var sharded = Fit(ml, train, k: 5, shards: 3, blockSize: 7);
        var batched = sharded.Transform(test).GetColumn<float>("KnnScore").ToArray();

        var engine = ml.Model.CreatePredictionEngine<EmbeddingRow, ScoreRow>(sharded, test.Schema);
        Vectors.AssertBitwise(batched, [.. queries.Select(q => engine.Predict(new EmbeddingRow { Embedding = q }).KnnScore)], "PredictionEngine");

        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"sharded-{Guid.NewGuid():N}.json");
        sharded.Save(path);
        var loaded = ml.Ood().LoadSharded(path, TestCluster3.Cluster.Client);
        Assert.AreEqual(sharded.Manifest.Shards.Count, loaded.Manifest.Shards.Count);
        Assert.AreEqual(sharded.Calls, loaded.Calls);
        Vectors.AssertBitwise(batched, loaded.Transform(test).GetColumn<float>("KnnScore").ToArray(), "loaded");
        var columns = loaded.Transform(test);
        Assert.AreEqual(NumberDataViewType.Single, columns.Schema["KnnScore"].Type);
        CollectionAssert.AreEqual(Enumerable.Range(0, queries.Length).ToArray(), columns.GetColumn<int>("Id").ToArray(), "pass-through column");
    }

    /// <summary>An empty view (a service's empty batch, a filter that kept nothing) scores to no rows, without an error.</summary>
    [TestMethod]
    public void AnEmptyViewScoresToNoRows()
    {
        var (bank, queries, _) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        var sharded = Fit(ml, Vectors.Create(ml, bank), k: 5, shards: 3, blockSize: 16);
        var definition = SchemaDefinition.Create(typeof(EmbeddingRow));
        definition[nameof(EmbeddingRow.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, queries[0].Length);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<EmbeddingRow>(), definition);

        var scores = sharded.Transform(empty).GetColumn<float>("KnnScore").ToArray();

        Assert.IsEmpty(scores);
        Assert.AreEqual(0L, sharded.RetriedShardCalls);
    }

    [TestMethod]
    public void NonFiniteRowsScoreNaNAndZeroRowsAsTheSingleHead()
    {
        var (bank, queries, _) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        var train = Vectors.Create(ml, bank);
        float[][] odd = [queries[0], [.. queries[1].Select((v, i) => i == 3 ? float.NaN : v)], new float[queries[0].Length],
            [.. queries[2].Select((v, i) => i == 0 ? float.PositiveInfinity : v)], queries[3]];
        var test = Vectors.Create(ml, odd);
        var single = ml.Ood().Knn("KnnScore", "Embedding", k: 5).Fit(train).Transform(test).GetColumn<float>("KnnScore").ToArray();

        var scores = Fit(ml, train, k: 5, shards: 3, blockSize: 16).Transform(test).GetColumn<float>("KnnScore").ToArray();

        Assert.IsTrue(float.IsNaN(scores[1]) && float.IsNaN(scores[3]), "NaN and infinite rows score NaN");
        Vectors.AssertBitwise(single, scores, "as the single head");
    }

    [TestMethod]
    public void DuplicateRowsAcrossShardBoundariesScoreAsTheSingleHead()
    {
        // Every bank row is one of two directions, repeated across every shard boundary: each k-th neighbour ties in cosine
        // with rows of other shards (the tie rule itself is checked with distinct distances in ShardMergeTests).
        var ml = new MLContext(seed: 1);
        float[] a = [1, 0, 0, 0], b = [0.6f, 0.8f, 0, 0];
        float[][] bank = [.. Enumerable.Range(0, 12).Select(i => i % 3 == 0 ? b : a)];
        var train = Vectors.Create(ml, bank);
        var test = Vectors.Create(ml, [[1, 0.1f, 0, 0], [0.5f, 1, 0, 0], [0, 0, 1, 0]]);
        for (int k = 1; k <= 12; k++)
        {
            var single = ml.Ood().Knn("KnnScore", "Embedding", k: k).Fit(train).Transform(test).GetColumn<float>("KnnScore").ToArray();
            var sharded = Fit(ml, train, k, shards: 4, blockSize: 2).Transform(test).GetColumn<float>("KnnScore").ToArray();
            Vectors.AssertBitwise(single, sharded, $"k={k}");
        }
    }

    [TestMethod]
    public void WideBankOfManyRowsIsExactToo()
    {
        // 512 wide and 3,000 rows: the single head's MatMul runs over all 3,000 columns at once, each shard's over its 1,000;
        // a cosine must not depend on the bank's width (MLAS accumulates each output over the same K blocks in the same order).
        var ml = new MLContext(seed: 1);
        var train = Vectors.Create(ml, Vectors.Random(3000, 512, seed: 5));
        var test = Vectors.Create(ml, Vectors.Random(300, 512, seed: 6));
        var single = ml.Ood().Knn("KnnScore", "Embedding", k: 50).Fit(train).Transform(test).GetColumn<float>("KnnScore").ToArray();
        var sharded = Fit(ml, train, k: 50, shards: 3, blockSize: 256).Transform(test).GetColumn<float>("KnnScore").ToArray();
        Vectors.AssertBitwise(single, sharded, "3,000 x 512 over 3 shards");
    }

    [TestMethod]
    public void ShardOf16MbOrMoreIsMemoryMappedAndExact()
    {
        // 8,500 x 512 floats are 17.4 MB: the grain rewrites the shard in external-data form and ONNX Runtime maps the
        // data file (unlinked once mapped), as the single head does with a bank of that size. The silos run in this
        // process, so the mapping shows in its /proc/self/maps.
        var ml = new MLContext(seed: 1);
        var train = Vectors.Create(ml, Vectors.Random(8500, 512, seed: 7));
        var test = Vectors.Create(ml, Vectors.Random(64, 512, seed: 8));
        int before = MappedDeletedDataFiles();

        var sharded = Fit(ml, train, k: 10, shards: 1, blockSize: 32).Transform(test).GetColumn<float>("KnnScore").ToArray();

        Assert.IsGreaterThan(before, MappedDeletedDataFiles(), "the shard's data file is mapped");
        var single = ml.Ood().Knn("KnnScore", "Embedding", k: 10).Fit(train).Transform(test).GetColumn<float>("KnnScore").ToArray();
        Vectors.AssertBitwise(single, sharded, "8,500 x 512 in one mapped shard");
    }

    private static int MappedDeletedDataFiles()
        => File.ReadLines("/proc/self/maps").Count(l => l.EndsWith("head.onnx.data (deleted)", StringComparison.Ordinal));

    [TestMethod]
    public void DamagedManifestIsRefused()
    {
        var (bank, _, _) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        var sharded = Fit(ml, Vectors.Create(ml, bank), k: 5, shards: 2, blockSize: 16);
        string path = Path.Combine(Path.GetTempPath(), $"sharded-{Guid.NewGuid():N}.json");
        sharded.Save(path);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"FirstRow\": 150", "\"FirstRow\": 149", StringComparison.Ordinal));

        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().LoadSharded(path, TestCluster3.Cluster.Client));

        StringAssert.Contains(error.Message, "shard entry 1 does not follow the one before it");
        File.Delete(path);
    }

    [TestMethod]
    public void FittingRefusesMoreShardsThanRows()
    {
        var ml = new MLContext(seed: 1);
        var train = Vectors.Create(ml, Vectors.Random(3, 4, seed: 2));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(ml, train, k: 1, shards: 4, blockSize: 16));
        StringAssert.StartsWith(error.Message, OodErrors.Format(OodErrors.MoreShardsThanRows, 4, 3));
    }

    internal static ShardedKnnTransformer Fit(MLContext ml, IDataView train, int k, int shards, int blockSize,
        TimeSpan? timeout = null, int attempts = 4)
        => ml.Ood().ShardedKnn(TestCluster3.Cluster.Client, TestCluster3.Store, new ShardedKnnOptions
        {
            Knn = new KnnOptions { InputColumnName = "Embedding", OutputColumnName = "KnnScore", K = k },
            Shards = shards,
            BlockSize = blockSize,
            CallTimeout = timeout ?? TimeSpan.FromSeconds(30),
            MaxAttempts = attempts,
            RetryDelay = TimeSpan.FromMilliseconds(50),
        }).Fit(train);

    private sealed class ScoreRow
    {
        public float KnnScore { get; set; }
    }
}
