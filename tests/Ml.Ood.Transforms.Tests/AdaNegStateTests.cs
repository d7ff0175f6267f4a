using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// AdaNeg's state beyond the reference numbers: copies that do not share a memory, a saved state that continues
/// exactly, settings and labels that fail naming the parameter, and rows that cannot be scored (fail closed).
/// </summary>
[TestClass]
public sealed class AdaNegStateTests
{
    private static AdaNegStream Stream => AdaNegStream.Instance;

    private static int Half => Stream.Rows.Length / 2 / Stream.Batch * Stream.Batch;

    [TestMethod]
    public void ClonesAdvanceIndependently()
    {
        using var start = Stream.NewState();
        using var first = start.Clone();
        var firstScores = Stream.Feed(first, 0, Stream.Rows.Length);
        Assert.AreEqual(0L, start.RowsSeen, "the starting state did not move");
        Assert.AreEqual(0L, start.Memory.Appends + start.Memory.Replacements, "nor did its memory");

        using var second = start.Clone();
        CollectionAssert.AreEqual(firstScores, Stream.Feed(second, 0, Stream.Rows.Length), "a second copy replays the first exactly");

        // A copy taken mid-stream and fed other rows leaves the original's continuation as the reference has it.
        using var original = Stream.NewState();
        var head = Stream.Feed(original, 0, Half);
        using var fork = original.Clone();
        Stream.Feed(fork, Half, Stream.Rows.Length);
        Stream.Feed(fork, 0, Half);
        var tail = Stream.Feed(original, Half, Stream.Rows.Length);
        AdaNegTests.AssertScores(Stream.ExpectedScores, [.. head, .. tail], "original after its fork ran ahead");
    }

    [TestMethod]
    public void SavedStateContinuesWithIdenticalScores()
    {
        using var live = Stream.NewState();
        Stream.Feed(live, 0, Half);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            live.Write(writer);
        }
        buffer.Position = 0;
        using var restored = TestTimeStates.Read(new BinaryReader(buffer));

        Assert.IsInstanceOfType<AdaNegState>(restored);
        Assert.AreEqual(live.RowsSeen, restored.RowsSeen);
        Assert.AreEqual(live.UpdateBatch, restored.UpdateBatch);
        var liveTail = Stream.Feed(live, Half, Stream.Rows.Length);
        var restoredTail = Stream.Feed(restored, Half, Stream.Rows.Length);
        CollectionAssert.AreEqual(liveTail, restoredTail, "bit for bit");
        Assert.AreEqual(live.Memory.Replacements, ((AdaNegState)restored).Memory.Replacements);
        AdaNegTests.AssertScores(Stream.ExpectedScores.Skip(Half).ToArray(), restoredTail, "restored continuation");
    }

    [TestMethod]
    public void SnapshotIsAdoptedOnlyByTheSameHead()
    {
        using var live = Stream.NewState();
        Stream.Feed(live, 0, Half);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            live.Write(writer);
        }
        buffer.Position = 0;
        using var read = (AdaNegState)TestTimeStates.Read(new BinaryReader(buffer));

        using var sameHead = Stream.NewState();
        using var adopted = read.OnRuleOf(sameHead);
        Assert.IsNotNull(adopted);
        AdaNegTests.AssertScores(Stream.ExpectedScores.Skip(Half).ToArray(), Stream.Feed(adopted, Half, Stream.Rows.Length), "adopted snapshot");

        using var otherLambda = Stream.NewState(o => o.Lambda = 0.2f);
        Assert.IsNull(read.OnRuleOf(otherLambda), "other settings");
        var shifted = Stream.IdLabels.Select((r, i) => i == 0 ? r.Select(v => v + 0.01f).ToArray() : r).ToArray();
        using var otherLabels = new AdaNegState(AdaNegRule.Create(shifted, Stream.NegativeLabels, Stream.Options));
        Assert.IsNull(read.OnRuleOf(otherLabels), "other labels");
    }

    [TestMethod]
    public void TruncatedOrInconsistentSavedStateIsRefusedNamingTheKind()
    {
        using var state = Stream.NewState();
        Stream.Feed(state, 0, Stream.Batch);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            state.Write(writer);
        }
        var bytes = buffer.ToArray();

        var truncated = Assert.ThrowsExactly<InvalidDataException>(() => TestTimeStates.Read(new BinaryReader(new MemoryStream(bytes[..(bytes.Length / 2)]))));
        StringAssert.Contains(truncated.Message, "'adaneg'");

        // The memory length sits right after the kind and the format version: 0 is outside its range.
        var corrupt = (byte[])bytes.Clone();
        int offset = 1 + AdaNegState.KindName.Length + sizeof(int);
        BitConverter.GetBytes(0).CopyTo(corrupt, offset);
        var invalid = Assert.ThrowsExactly<InvalidDataException>(() => TestTimeStates.Read(new BinaryReader(new MemoryStream(corrupt))));
        StringAssert.Contains(invalid.Message, "MemoryLength");
    }

    [TestMethod]
    [DataRow(nameof(AdaNegOptions.MemoryLength), 0f)]
    [DataRow(nameof(AdaNegOptions.Threshold), 0f)]
    [DataRow(nameof(AdaNegOptions.Threshold), 1f)]
    [DataRow(nameof(AdaNegOptions.Threshold), float.NaN)]
    [DataRow(nameof(AdaNegOptions.Gap), -0.1f)]
    [DataRow(nameof(AdaNegOptions.Gap), 1f)]
    [DataRow(nameof(AdaNegOptions.Gap), float.NaN)]
    [DataRow(nameof(AdaNegOptions.Lambda), float.NaN)]
    [DataRow(nameof(AdaNegOptions.Lambda), float.PositiveInfinity)]
    [DataRow(nameof(AdaNegOptions.Groups), 0f)]
    [DataRow(nameof(AdaNegOptions.Groups), 53f)]
    [DataRow(nameof(AdaNegOptions.UpdateBatch), 0f)]
    [DataRow(nameof(AdaNegOptions.Temperature), 0f)]
    public void BadOptionIsRefusedNamingIt(string option, float value)
    {
        var property = typeof(AdaNegOptions).GetProperty(option)!;
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Stream.NewState(o =>
            property.SetValue(o, property.PropertyType == typeof(int) ? (object)(int)value : value)));
        Assert.AreEqual($"AdaNegOptions.{option}", error.ParamName);
        StringAssert.Contains(error.Message, option is nameof(AdaNegOptions.Temperature) ? "emperature" : $"AdaNegOptions.{option}");
    }

    [TestMethod]
    public void GroupsUpToTheNegativeCountAreAccepted()
    {
        using var state = Stream.NewState(o => o.Groups = Stream.NegativeLabels.Length);
        Assert.AreEqual(Stream.NegativeLabels.Length, state.Rule.GroupOrder.Length, "one negative per group, none dropped");
    }

    [TestMethod]
    public void LabelWidthsThatDifferAreRefusedNamingTheSet()
    {
        var narrow = Stream.NegativeLabels.Select(r => r[..^1]).ToArray();
        var negative = Assert.ThrowsExactly<ArgumentException>(() => AdaNegRule.Create(Stream.IdLabels, narrow, null));
        Assert.AreEqual("negativeLabelEmbeddings", negative.ParamName);

        var ids = Stream.IdLabels.Select((r, i) => i == 3 ? r[..^1] : r).ToArray();
        var id = Assert.ThrowsExactly<ArgumentException>(() => AdaNegRule.Create(ids, Stream.NegativeLabels, null));
        Assert.AreEqual("idLabelEmbeddings", id.ParamName);
        StringAssert.Contains(id.Message, "3");
    }

    [TestMethod]
    public void RowsThatCannotBeScoredScoreNaNAndNeverEnterAMemory()
    {
        // The first confident-ID and the first confident-OOD row of the stream (each would enter a memory), each spoiled
        // by a NaN, an infinity, or zeroed.
        using var state = Stream.NewState();
        int width = Stream.Width;
        var confidence = Stream.ExpectedVanillaConfidence;
        int[] confident = [Array.FindIndex(confidence, c => c > 0.75), Array.FindIndex(confidence, c => c < 0.25)];
        var spoiled = new List<float>();
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, 0f })
        {
            foreach (int r in confident)
            {
                var row = (float[])Stream.Rows[r].Clone();
                if (bad == 0f)
                {
                    Array.Clear(row);
                }
                else
                {
                    row[width / 2] = bad;
                }
                spoiled.AddRange(row);
            }
        }
        var scores = new float[6];
        state.ScoreBatch([.. spoiled], 6, scores);
        Assert.IsTrue(scores.All(float.IsNaN), string.Join(", ", scores));
        Assert.AreEqual(0L, state.Memory.Appends + state.Memory.Replacements);

        // The rest of the stream then scores as if the spoiled rows had never come.
        var next = Stream.Feed(state, 0, Stream.Rows.Length);
        AdaNegTests.AssertScores(Stream.ExpectedScores, next, "after the spoiled batch");
    }

    [TestMethod]
    public void UpdateBatchesOfTheWrongSizeAreRefused()
    {
        using var state = Stream.NewState(o => o.UpdateBatch = 4);
        var scores = new float[5];
        var tooMany = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => state.ScoreBatch(Stream.Flat(0, 5), 5, scores));
        StringAssert.Contains(tooMany.Message, "1 to 4 rows");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => state.ScoreBatch([], 0, scores));
        var ragged = Assert.ThrowsExactly<ArgumentException>(() => state.ScoreBatch(Stream.Flat(0, 2)[..^1], 2, scores));
        StringAssert.Contains(ragged.Message, "2 rows of width 64");
        Assert.AreEqual(0L, state.RowsSeen);
    }
}
