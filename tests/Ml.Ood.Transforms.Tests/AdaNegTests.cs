using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// AdaNeg's state against the numpy transcription of the official rule (tests/ReferenceVectors/adaneg_stream.json):
/// every row's score within 1e-5, fed in the file's update batches, and the same memory appends and replacements.
/// </summary>
[TestClass]
public sealed class AdaNegTests
{
    private const double Tolerance = 1e-5;

    private static AdaNegStream Stream => AdaNegStream.Instance;

    [TestMethod]
    public void StreamIsLongAndReplacesOften()
    {
        Assert.IsGreaterThanOrEqualTo(2000, Stream.Rows.Length);
        Assert.IsGreaterThanOrEqualTo(200L, Stream.Replacements);
        Assert.AreEqual(Stream.Replacements, (long)Stream.ReplacementsPerBatch.Sum());
        Assert.AreNotEqual(0, Stream.Rows.Length % Stream.Batch, "the last update batch is short");
        Assert.AreNotEqual(0, Stream.NegativeLabels.Length % Stream.Options.Groups, "some negatives are dropped from the groups");
    }

    [TestMethod]
    public void EveryScoreAndTheMemoryDecisionsMatchTheTranscription()
    {
        using var state = Stream.NewState();
        int rows = Stream.Rows.Length;
        var replacements = new List<long>();
        var scores = new List<float>();
        for (int start = 0; start < rows; start += Stream.Batch)
        {
            long before = state.Memory.Replacements;
            scores.AddRange(Stream.Feed(state, start, Math.Min(rows, start + Stream.Batch)));
            replacements.Add(state.Memory.Replacements - before);
        }

        AssertScores(Stream.ExpectedScores, scores, "AdaNeg stream");
        CollectionAssert.AreEqual(Stream.ReplacementsPerBatch.Select(r => (long)r).ToArray(), replacements.ToArray(), "replacements per batch");
        Assert.AreEqual(Stream.Appends, state.Memory.Appends, "appends");
        Assert.AreEqual(Stream.Replacements, state.Memory.Replacements, "replacements");
        Assert.AreEqual(rows, state.RowsSeen);
    }

    [TestMethod]
    public void TheLastSlotIsNeverAppendedTo()
    {
        // The official slot index starts at 1 and the memory counts as full at L: L - 1 image features per label.
        using var state = Stream.NewState();
        Stream.Feed(state, 0, Stream.Rows.Length);
        int labels = Stream.IdLabels.Length + Stream.NegativeLabels.Length;
        int most = Enumerable.Range(0, labels).Max(state.Memory.Stored);
        Assert.AreEqual(Stream.Options.MemoryLength - 1, most);
    }

    [TestMethod]
    public void MemoryLengthOneNeverAdaptsAndScoresTheVanillaConfidenceTimesOnePlusLambda()
    {
        // L = 1: the memory is full from the start (next slot 1 == L) and every stored entropy is 0, so only a row with a
        // negative entropy could enter (none here: the stream's confident rows have entropies above 0.04); the proxies stay
        // the text embeddings and conf_in = conf_in_vanilla (the file's float64 values).
        using var state = Stream.NewState(o => o.MemoryLength = 1);
        var scores = Stream.Feed(state, 0, Stream.Rows.Length);
        Assert.AreEqual(0L, state.Memory.Appends + state.Memory.Replacements);
        double lambda = Stream.Options.Lambda;
        AssertScores(Stream.ExpectedVanillaConfidence.Select(c => -(1 + lambda) * c).ToArray(), scores, "L = 1");
    }

    [TestMethod]
    public void LabelEntropyIsTheOfficialSoftmaxEntropyWithItsEpsilon()
    {
        // Hand calculation: logits (0, ln 3) give p = (1/4, 3/4); -sum p ln(p + 1e-8).
        double expected = -(0.25 * Math.Log(0.25 + 1e-8) + 0.75 * Math.Log(0.75 + 1e-8));
        Assert.AreEqual(expected, AdaNegMath.Entropy([0f, (float)Math.Log(3)]), 1e-7);
    }

    [TestMethod]
    public void GroupedConfidenceAveragesTheClassShareOverGroups()
    {
        // Hand calculation: class logits (0, 0); groups {ln 2} and {ln 6} (order 1, 0 picks negative 1 first):
        // shares 2 / (2 + 6) and 2 / (2 + 2), mean 0.375. Negative 2 is dropped (3 mod 2).
        float[] ids = [0f, 0f];
        float[] negatives = [(float)Math.Log(2), (float)Math.Log(6), 100f];
        Assert.AreEqual(0.375, AdaNegMath.GroupedConfidence(ids, negatives, [1, 0], 2), 1e-7);
    }

    internal static void AssertScores(IReadOnlyList<double> expected, IReadOnlyList<float> actual, string what)
    {
        Assert.HasCount(expected.Count, actual, what);
        double worst = 0;
        int worstRow = -1;
        for (int i = 0; i < expected.Count; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            if (!(error <= worst))
            {
                worst = error;
                worstRow = i;
            }
        }
        Assert.IsLessThanOrEqualTo(Tolerance, worst, $"{what}: row {worstRow} expected {(worstRow < 0 ? 0 : expected[worstRow])}, got {(worstRow < 0 ? 0 : actual[worstRow])}");
    }
}
