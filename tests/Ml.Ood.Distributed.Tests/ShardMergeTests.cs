namespace Ml.Ood.Distributed.Tests;

/// <summary>The exact merge alone, on lists written by hand.</summary>
[TestClass]
public sealed class ShardMergeTests
{
    [TestMethod]
    public void KthOfTheUnionRanksByCosineThenBankIndex()
    {
        // Row 0: the union by cosine, ties to the lower index: (0.9, #0, 1), (0.9, #5, 2), (0.5, #1, 3), (0.1, #6, 4).
        // Row 1: (0.8, #7, 10), (0.7, #2, 20), (0.7, #3, 30), (-0.2, #8, 40).
        var first = new ShardNeighbours(2, [0.9f, 0.5f, 0.7f, 0.7f], [1, 3, 20, 30], [0, 1, 2, 3]);
        var second = new ShardNeighbours(2, [0.9f, 0.1f, 0.8f, -0.2f], [2, 4, 10, 40], [5, 6, 7, 8]);
        float[][] expected = [[1, 10], [2, 20], [3, 30], [4, 40]];
        for (int k = 1; k <= 4; k++)
        {
            var scores = new float[2];
            ShardMerge.KthDistances(k, 2, [first, second], scores);
            CollectionAssert.AreEqual(expected[k - 1], scores, $"k={k}");
            ShardMerge.KthDistances(k, 2, [second, first], scores);
            CollectionAssert.AreEqual(expected[k - 1], scores, $"k={k}, shards listed the other way round");
        }
    }

    [TestMethod]
    public void ListsOfDifferentLengthsAndNaNRankLast()
    {
        var shortList = new ShardNeighbours(1, [float.NaN], [7], [9]);
        var longList = new ShardNeighbours(3, [0.3f, 0.2f, 0.1f], [1, 2, 3], [0, 1, 2]);
        var scores = new float[1];
        ShardMerge.KthDistances(4, 1, [shortList, longList], scores);
        Assert.AreEqual(7f, scores[0]);
        ShardMerge.KthDistances(3, 1, [shortList, longList], scores);
        Assert.AreEqual(3f, scores[0]);
    }

    [TestMethod]
    public void KBeyondTheUnionIsRefused()
    {
        var list = new ShardNeighbours(1, [0.5f], [1], [0]);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ShardMerge.KthDistances(3, 1, [list, list], new float[1]));
        StringAssert.StartsWith(error.Message, OodErrors.Format(OodErrors.KnnKLargerThanBank, 3, 2));
    }
}
