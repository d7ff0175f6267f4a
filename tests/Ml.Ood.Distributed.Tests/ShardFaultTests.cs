using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Distributed.Tests;

/// <summary>Silos that leave mid-stream, shards that do not answer, shard files that changed.</summary>
[TestClass]
public sealed class ShardFaultTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public async Task SiloLeavingMidStreamLosesDuplicatesAndPartlyScoresNoRow(bool kill)
    {
        const int blocks = 100, rowsPerBlock = 4;
        var ml = new MLContext(seed: 1);
        var train = Vectors.Create(ml, Vectors.Random(600, 16, seed: 3));
        var test = Vectors.Create(ml, Vectors.Random(blocks * rowsPerBlock, 16, seed: 4));
        var expected = ml.Ood().Knn("KnnScore", "Embedding", k: 10).Fit(train).Transform(test).GetColumn<float>("KnnScore").ToArray();
        var sharded = ShardedKnnTests.Fit(ml, train, k: 10, shards: 6, blockSize: rowsPerBlock, timeout: TimeSpan.FromSeconds(5), attempts: 8);
        var view = sharded.Transform(test);

        var scores = new List<float>();
        var ids = new List<int>();
        Task? leaving = null;
        using (var cursor = view.GetRowCursor(view.Schema))
        {
            var score = cursor.GetGetter<float>(view.Schema["KnnScore"]);
            var id = cursor.GetGetter<int>(view.Schema["Id"]);
            while (cursor.MoveNext())
            {
                float s = 0;
                int i = 0;
                score(ref s);
                id(ref i);
                scores.Add(s);
                ids.Add(i);
                if (scores.Count == 30 * rowsPerBlock)
                {
                    // Leaves while the stream goes on: the next blocks meet the silo on its way out.
                    var host = await SecondarySiloHostingAShard(sharded.Manifest);
                    TestContext.WriteLine($"{(kill ? "Killing" : "Stopping")} {host.SiloAddress} after block 30.");
                    leaving = kill ? TestCluster3.Cluster.KillSiloAsync(host) : TestCluster3.Cluster.StopSiloAsync(host);
                }
            }
        }

        Assert.IsNotNull(leaving, "a silo left mid-stream");
        await leaving;
        TestContext.WriteLine($"Retried shard calls: {sharded.RetriedShardCalls}.");
        CollectionAssert.AreEqual(Enumerable.Range(0, blocks * rowsPerBlock).ToArray(), ids.ToArray(), "every row once, in order");
        Vectors.AssertBitwise(expected, scores, "after the silo left");
        await TestCluster3.Cluster.StartAdditionalSiloAsync();
    }

    [TestMethod]
    public void UnreachableShardFailsTheBlockNamingIt()
    {
        var (bank, queries, _) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        var timeout = TimeSpan.FromMilliseconds(300);
        var sharded = ShardedKnnTests.Fit(ml, Vectors.Create(ml, bank), k: 5, shards: 3, blockSize: 16, timeout, attempts: 2);
        var shard = sharded.Manifest.Shards[1];
        TestCluster3.Blocked[shard.GrainKey] = true;
        try
        {
            var error = Assert.ThrowsExactly<InvalidOperationException>(
                () => sharded.Transform(Vectors.Create(ml, queries)).GetColumn<float>("KnnScore").ToArray());

            Assert.IsInstanceOfType<TimeoutException>(error.InnerException);
            Assert.AreEqual(OodErrors.Format(OodErrors.ShardUnreachable, 1, 3, shard.FileName, 2, timeout, error.InnerException.Message), error.Message);
        }
        finally
        {
            TestCluster3.Blocked.TryRemove(shard.GrainKey, out _);
        }
    }

    [TestMethod]
    public void ChangedShardFileIsRefusedAtActivation()
    {
        var (bank, queries, _) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        var sharded = ShardedKnnTests.Fit(ml, Vectors.Create(ml, bank), k: 5, shards: 2, blockSize: 16, TimeSpan.FromSeconds(10), attempts: 2);
        var shard = sharded.Manifest.Shards[0];
        string path = TestCluster3.Store.GetLocalPath(shard.FileName);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(path, bytes);
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var error = Assert.ThrowsExactly<InvalidOperationException>(
            () => sharded.Transform(Vectors.Create(ml, queries)).GetColumn<float>("KnnScore").ToArray());

        string mismatch = OodErrors.Format(OodErrors.ShardHashMismatch, shard.FileName, shard.Sha256, actual);
        Assert.AreEqual(OodErrors.Format(OodErrors.ShardUnreachable, 0, 2, shard.FileName, 2, TimeSpan.FromSeconds(10), mismatch), error.Message);
    }

    [TestMethod]
    public void MissingShardFileNamesTheStore()
    {
        var (bank, queries, _) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        var sharded = ShardedKnnTests.Fit(ml, Vectors.Create(ml, bank), k: 5, shards: 2, blockSize: 16, TimeSpan.FromSeconds(10), attempts: 1);
        var shard = sharded.Manifest.Shards[1];
        File.Delete(TestCluster3.Store.GetLocalPath(shard.FileName));

        var error = Assert.ThrowsExactly<InvalidOperationException>(
            () => sharded.Transform(Vectors.Create(ml, queries)).GetColumn<float>("KnnScore").ToArray());

        StringAssert.Contains(error.Message, OodErrors.Format(OodErrors.ShardFileMissing, shard.FileName, TestCluster3.Store.Folder));
    }

    [TestMethod]
    public async Task BlockOfPartialRowsIsRefusedByTheGrain()
    {
        var (bank, _, _) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        var sharded = ShardedKnnTests.Fit(ml, Vectors.Create(ml, bank), k: 5, shards: 2, blockSize: 16);
        var grain = TestCluster3.Cluster.Client.GetGrain<IKnnShardGrain>(sharded.Manifest.Shards[0].GrainKey);

        var error = await Assert.ThrowsExactlyAsync<ArgumentException>(() => grain.SearchAsync(new ShardQueries(new float[20], 2)));

        StringAssert.StartsWith(error.Message, OodErrors.Format(OodErrors.ShardQueriesSizeMismatch, 2, 16, 20));
    }

    [TestMethod]
    public async Task ShardsSpreadOnePerSilo()
    {
        var (bank, queries, _) = Vectors.Knn();
        var ml = new MLContext(seed: 1);
        var sharded = ShardedKnnTests.Fit(ml, Vectors.Create(ml, bank), k: 5, shards: 3, blockSize: 16);
        _ = sharded.Transform(Vectors.Create(ml, queries)).GetColumn<float>("KnnScore").ToArray();

        var hosts = await Hosts(sharded.Manifest);

        Assert.HasCount(3, hosts.Values.Distinct(), $"hosts: {string.Join(", ", hosts.Values)}");
    }

    private static async Task<Dictionary<string, Orleans.Runtime.SiloAddress>> Hosts(ShardManifest manifest)
    {
        var keys = manifest.Shards.Select(s => s.GrainKey).ToHashSet();
        var activations = await TestCluster3.Cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return activations.Where(a => keys.Contains(a.GrainId.Key.ToString()!)).ToDictionary(a => a.GrainId.Key.ToString()!, a => a.SiloAddress);
    }

    /// <summary>A silo other than the primary (which holds the test cluster's membership) that hosts one of the shards.</summary>
    private static async Task<Orleans.TestingHost.SiloHandle> SecondarySiloHostingAShard(ShardManifest manifest)
    {
        var hosts = (await Hosts(manifest)).Values.ToHashSet();
        var silo = TestCluster3.Cluster.Silos.FirstOrDefault(s => s != TestCluster3.Cluster.Primary && hosts.Contains(s.SiloAddress));
        Assert.IsNotNull(silo, $"no secondary silo hosts one of the {manifest.Shards.Count} shards (hosts: {string.Join(", ", hosts)})");
        return silo;
    }
}
