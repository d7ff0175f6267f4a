namespace Ml.Ood.Distributed.Tests;

/// <summary>A shard file holds its rows inline, so no shard may pass ONNX's 2 GB: checked before anything is written.</summary>
[TestClass]
public sealed class ShardSizeTests
{
    [TestMethod]
    public void AShardOverTwoGigabytesIsRefusedNamingTheFewestShardsThatFit()
    {
        // 1,000,000 x 512 floats = 2.048 GB: one shard is over the limit, two (1.02 GB each) fit.
        var refused = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ShardedKnnEstimator.CheckShardSize(1_000_000, 512, 1));
        StringAssert.Contains(refused.Message, "1,000,000 rows x 512 floats (2.05 GB)");
        StringAssert.Contains(refused.Message, "Shards to at least 2");
        Assert.AreEqual(nameof(ShardedKnnOptions.Shards), refused.ParamName);
        ShardedKnnEstimator.CheckShardSize(1_000_000, 512, 2);

        // The largest shard counts: 976,562 rows of 512 floats are the most under 2e9 bytes; one row more in any shard is over.
        ShardedKnnEstimator.CheckShardSize(3 * 976_562, 512, 3);
        var oneOver = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ShardedKnnEstimator.CheckShardSize((3 * 976_562) + 1, 512, 3));
        StringAssert.Contains(oneOver.Message, "976,563 rows");
        StringAssert.Contains(oneOver.Message, "Shards to at least 4");
    }
}
