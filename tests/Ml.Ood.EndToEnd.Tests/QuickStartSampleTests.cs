using System.Globalization;
using System.Text.RegularExpressions;
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

        var expectedRows = MetricRows(expected);
        var actualRows = MetricRows(actual);
        Assert.HasCount(5, expectedRows, "the sample documents five heads");
        CollectionAssert.AreEqual(expectedRows.Keys.ToArray(), actualRows.Keys.ToArray(), "the same heads in the same order");
        foreach (var (head, want) in expectedRows)
        {
            var got = actualRows[head];
            Assert.AreEqual(want[0], got[0], 2.0, $"{head} AUROC (%)");
            Assert.AreEqual(want[3], got[3], 5.0, $"{head} FPR@95TPR (%)");
        }

        var (wantOod, wantId) = Decision(expected);
        var (gotOod, gotId) = Decision(actual);
        Assert.AreEqual(wantOod, gotOod, 3.0, "OOD rows flagged (%)");
        Assert.AreEqual(wantId, gotId, 3.0, "ID rows flagged (%)");
        double maxDiff = double.Parse(Regex.Match(output, @"max \|score difference\| = (\S+)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.IsLessThanOrEqualTo(1e-5, maxDiff, "saved and reloaded scores agree");
        StringAssert.Contains(output, "roc.png");
    }

    /// <summary>The report's table rows: head -> the six metric columns, in %.</summary>
    private static Dictionary<string, double[]> MetricRows(IEnumerable<string> lines)
        => lines.Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| Method", StringComparison.Ordinal))
            .Select(l => l.Trim('|').Split('|').Select(c => c.Trim().Trim('*')).ToArray())
            .ToDictionary(c => c[0], c => c.Skip(1).Take(6).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());

    private static (double Ood, double Id) Decision(IEnumerable<string> lines)
    {
        var match = Regex.Match(lines.Single(l => l.StartsWith("IsOod decision", StringComparison.Ordinal)),
            @"([\d.]+)% of OOD rows flagged, ([\d.]+)% of ID rows flagged");
        return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }
}
