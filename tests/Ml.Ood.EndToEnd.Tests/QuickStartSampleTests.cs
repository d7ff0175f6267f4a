using System.Globalization;
using System.Text.RegularExpressions;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// The README's run command on real data, as CI runs it (the data are fetched on first use): the trained
/// encoder with MlOod's heads reaches issue 6's bars on its fixed seeded subset, the output matches the
/// sample's "Expected output" block loosely, the plots are written, and a model loaded with plain
/// ml.Model.Load in a separate process scores every test image as the fitting process did.
/// </summary>
[TestClass]
public sealed class QuickStartSampleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void QuickStartMeetsTheBarsAndScoresTheSameInAnotherProcess()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"quickstart-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        string output = SampleRunner.Run("QuickStart.dll", TimeSpan.FromMinutes(10), folder);
        var expected = SampleRunner.ExpectedOutput(Path.Combine(RepositoryPaths.Root, "samples", "QuickStart", "Program.cs"));

        var actualRows = MetricRows(output.Split('\n'));
        var expectedRows = MetricRows(expected);
        CollectionAssert.AreEquivalent(expectedRows.Keys.ToArray(), actualRows.Keys.ToArray(), "the same heads as the documented output");
        var nearAurocs = actualRows.Values.Select(r => r[0]).ToArray();
        CollectionAssert.AreEqual(nearAurocs.OrderByDescending(a => a).ToArray(), nearAurocs, "the table ranks the heads by near-OOD AUROC");
        foreach (string set in new[] { "near", "far" })
        {
            int column = set == "near" ? 0 : 4;
            Assert.IsGreaterThanOrEqualTo(0.98, actualRows["EnergyScore"][column], $"energy AUROC, {set}-OOD (issue 6's bar)");
            Assert.IsGreaterThanOrEqualTo(0.95, actualRows["KnnScore"][column], $"KNN AUROC, {set}-OOD (issue 6's bar)");
            foreach (var (head, want) in expectedRows)
            {
                Assert.AreEqual(want[column], actualRows[head][column], 0.02, $"{head} AUROC, {set}-OOD, against the documented output");
            }
        }

        // The test-time stream holds the table's MNIST and Fashion-MNIST images: KNN, which scores each image alone, must
        // rank them as in the table; OODD is reported beside it (no bar on its value).
        var stream = Regex.Match(output, @"Stream of [\d,]+ images \([\d,]+ Fashion-MNIST\): KNN AUROC ([\d.]+), FPR@95 ([\d.]+); OODD AUROC ([\d.]+), FPR@95 ([\d.]+)");
        Assert.IsTrue(stream.Success, "the quick start prints the test-time stream's line");
        Assert.AreEqual(actualRows["KnnScore"][0], double.Parse(stream.Groups[1].Value, CultureInfo.InvariantCulture), 1e-4, "KNN's AUROC on the stream equals the table's");
        Assert.AreEqual(actualRows["KnnScore"][1], double.Parse(stream.Groups[2].Value, CultureInfo.InvariantCulture), 1e-4, "KNN's FPR@95 on the stream equals the table's");
        Assert.IsGreaterThan(0.9, double.Parse(stream.Groups[3].Value, CultureInfo.InvariantCulture), "OODD's AUROC on the stream");

        string results = Path.Combine(folder, "mlood-quickstart");
        foreach (string png in new[] { "roc-near.png", "roc-far.png", "histogram-EnergyScore-near.png", "histogram-KnnScore-far.png" })
        {
            Assert.IsTrue(new FileInfo(Path.Combine(results, png)).Length > 10_000, $"{png} is written");
        }

        string other = Path.Combine(folder, "scores-other-process.txt");
        SampleRunner.Run("QuickStart.dll", TimeSpan.FromMinutes(5), folder, "--score-saved", Path.Combine(results, "mnist-ood.zip"), other);
        var here = Scores(Path.Combine(results, "test-scores.txt"));
        var there = Scores(other);
        CollectionAssert.AreEqual(here.Keys.ToArray(), there.Keys.ToArray());
        foreach (var (head, scores) in here)
        {
            HeadHarness.AssertAllClose(scores, there[head], 1e-5, $"{head}: fitting process vs a process that loaded the .zip");
        }
    }

    /// <summary>The table rows: head -> AUROC, FPR@95, AUPR-In, AUPR-Out for near-OOD, then for far-OOD.</summary>
    private static Dictionary<string, double[]> MetricRows(IEnumerable<string> lines)
        => lines.Select(l => Regex.Match(l, @"^(\w+Score)\s*\|(.*)\|(.*)$"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => (m.Groups[2].Value + " " + m.Groups[3].Value)
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());

    private static Dictionary<string, float[]> Scores(string path)
        => File.ReadAllLines(path).Select(l => l.Split(' '))
            .ToDictionary(f => f[0], f => f.Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());
}
