using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// OODD's dictionary against hand-worked cases (FORMULAS.md: push the batch, evict the largest s_id while more than q
/// are held; the tie rule is docs/TEST-TIME-HEADS.md section 5's).
/// </summary>
[TestClass]
public sealed class OoddDictionaryTests
{
    [TestMethod]
    public void KeepsTheQSmallestOfHeldAndBatchAndSkipsUnscorableRows()
    {
        var dictionary = new OoddDictionary(capacity: 3, width: 1);
        dictionary.Push([10, 20, 30, 40], [0.5f, float.NaN, 0.2f, 0.9f], 4);
        // 3 scorable rows fit: held in stream order, the NaN row (20) never enters.
        CollectionAssert.AreEqual(new[] { 10f, 30f, 40f }, dictionary.Rows[..3]);
        CollectionAssert.AreEqual(new[] { 0.5f, 0.2f, 0.9f }, dictionary.Keys.ToArray());

        dictionary.Push([50, 60], [0.1f, 0.95f], 2);
        // Of 0.5, 0.2, 0.9, 0.1, 0.95 the three smallest are 0.1 (50), 0.2 (30), 0.5 (10): 40 and 60 are evicted.
        Assert.AreEqual(3, dictionary.Held);
        CollectionAssert.AreEquivalent(new[] { 50f, 30f, 10f }, dictionary.Rows[..3]);
    }

    [TestMethod]
    public void AmongEqualKeysTheEarlierRowStays()
    {
        var dictionary = new OoddDictionary(capacity: 2, width: 1);
        dictionary.Push([1, 2], [0.3f, 0.7f], 2);
        dictionary.Push([3, 4], [0.7f, 0.3f], 2);
        // Keys 0.3 (row 1), 0.7 (row 2), 0.7 (row 3), 0.3 (row 4): both 0.3 rows stay, both 0.7 rows go.
        CollectionAssert.AreEquivalent(new[] { 1f, 4f }, dictionary.Rows[..2]);
        dictionary.Push([5], [0.3f], 1);
        // Three rows at 0.3: the two earlier (1 and 4) stay, the newest (5) goes.
        CollectionAssert.AreEquivalent(new[] { 1f, 4f }, dictionary.Rows[..2]);
    }

    [TestMethod]
    public void CloneIsIndependentAndRoundTripsThroughItsWrittenForm()
    {
        var dictionary = new OoddDictionary(capacity: 2, width: 2);
        dictionary.Push([1, 2, 3, 4], [0.4f, 0.6f], 2);
        var clone = dictionary.Clone();
        dictionary.Push([5, 6], [0.1f], 1);
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, 4f }, clone.Rows[..4], "the clone does not see later pushes");

        using var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            dictionary.Write(writer);
        }
        bytes.Position = 0;
        using var reader = new BinaryReader(bytes);
        var read = OoddDictionary.Read(reader);
        Assert.AreEqual(dictionary.Held, read.Held);
        CollectionAssert.AreEqual(dictionary.Rows[..4], read.Rows[..4]);
        CollectionAssert.AreEqual(dictionary.Keys.ToArray(), read.Keys.ToArray());
    }
}
