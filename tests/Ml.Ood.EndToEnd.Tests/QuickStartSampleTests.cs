using System.Globalization;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>The README's run command, as CI runs it: its output matches its "Expected output" block loosely.</summary>
[TestClass]
public sealed class QuickStartSampleTests
{
    [TestMethod]
    public void QuickStartPrintsWhatItsExpectedOutputSays()
    {
        string output = SampleRunner.Run("QuickStart.dll", TimeSpan.FromMinutes(5));
        var expected = SampleRunner.ExpectedOutput(Path.Combine(RepositoryPaths.Root, "samples", "QuickStart", "Program.cs"));
        var actual = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.HasCount(4, expected, "the sample documents a header and three heads");
        Assert.AreEqual(expected[0].Trim(), actual[^4], "header");
        for (int i = 1; i < expected.Length; i++)
        {
            var want = Fields(expected[i]);
            var got = Fields(actual[^(expected.Length - i)]);
            Assert.AreEqual(want.Head, got.Head);
            Assert.AreEqual(want.MeanId, got.MeanId, 0.1 * Math.Abs(want.MeanId), $"{want.Head} mean ID");
            Assert.AreEqual(want.MeanOod, got.MeanOod, 0.1 * Math.Abs(want.MeanOod), $"{want.Head} mean OOD");
            Assert.AreEqual(want.Caught, got.Caught, 5.0, $"{want.Head} OOD above 95% of ID (percentage points)");
            Assert.IsLessThanOrEqualTo(1e-5, got.MaxDiff, $"{want.Head} saved vs loaded");
        }
    }

    private static (string Head, double MeanId, double MeanOod, double Caught, double MaxDiff) Fields(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double Parse(string s) => double.Parse(s.TrimEnd('%'), CultureInfo.InvariantCulture);
        return (parts[0], Parse(parts[1]), Parse(parts[2]), Parse(parts[3]), Parse(parts[4]));
    }
}
