using System.Diagnostics;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// Issue 10's checks that need processes of their own, run through tests/Ml.Ood.Robustness: damaged models, many
/// PredictionEngines on many threads, and the temporary folder after a process exits or is killed.
/// </summary>
[TestClass]
public sealed class ProductionSafetyTests
{
    private const string Tool = "Ml.Ood.Robustness.dll";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void DamagedModelsAreRefusedOrScoreIdentically()
    {
        string zip = SavedModel();
        string output = Run(TimeSpan.FromMinutes(4), null, "fuzz", zip, "1", "200");
        StringAssert.Contains(output, "200 mutants");
        StringAssert.Contains(output, "loaded, identical scores");
        StringAssert.Contains(output, "refused: entry CRC-32");
        StringAssert.Contains(output, "refused: head content hash");
    }

    [TestMethod]
    [Timeout(900_000, CooperativeCancellation = true)]
    public void EnginesOnManyThreadsNeverCrashAndAgreeBitForBit()
    {
        string zip = SavedModel();
        string output = Run(TimeSpan.FromMinutes(14), null, "concurrency", zip, "20", "8", "2000", "16");
        StringAssert.Contains(output, "ml.Ood().Load: 20 repetitions x 4 patterns x 8 threads");
        StringAssert.Contains(output, "ml.Model.Load: 20 repetitions x 2 patterns x 8 threads");
        StringAssert.Contains(output, "over-released model: ObjectDisposedException");
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void NothingOfMlOodIsLeftInTheTemporaryFolder()
    {
        string temp = NewFolder("tmp");
        string work = NewFolder("work");
        Run(TimeSpan.FromMinutes(4), temp, "lifecycle", work);
        AssertNothingLeft(temp, "after fit, save, both loads, predictions, re-save, damaged loads, dispose and exit");

        string zip = SavedModel();
        using (var held = Start(temp, "hold", zip))
        {
            Assert.AreEqual("READY", held.StandardOutput.ReadLine(), "the holding process loaded the model");
            Assert.IsNotEmpty(Directory.GetDirectories(temp, "mlood-*"), "a loaded model with an ONNX encoder keeps a private folder");
            held.Kill();
            Assert.IsTrue(held.WaitForExit(30_000));
        }
        Assert.IsNotEmpty(Directory.GetDirectories(temp, "mlood-*"), "kill -9 leaves the private folder behind");
        Run(TimeSpan.FromMinutes(1), temp, "sweep");
        AssertNothingLeft(temp, "after kill -9 and one more process");
    }

    private string SavedModel()
    {
        string zip = Path.Combine(NewFolder("model"), "model.zip");
        Run(TimeSpan.FromMinutes(2), null, "save", zip);
        return zip;
    }

    private string NewFolder(string name)
        => Directory.CreateDirectory(Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}")).FullName;

    /// <summary>
    /// What is left, but for the .NET runtime's diagnostics sockets (removed by the runtime itself) and ONNX Runtime's
    /// telemetry session file <c>.ses</c> (a timestamp and a session id, which ONNX Runtime 1.31 writes to TMPDIR when its
    /// environment starts; no model data).
    /// </summary>
    private static void AssertNothingLeft(string temp, string when)
    {
        var left = Directory.EnumerateFileSystemEntries(temp)
            .Select(Path.GetFileName)
            .Where(name => !name!.StartsWith("dotnet-diagnostic-", StringComparison.Ordinal) && !name.StartsWith("clr-debug-pipe-", StringComparison.Ordinal))
            .Where(name => name != ".ses" || new FileInfo(Path.Combine(temp, name)).Length > 100)
            .ToList();
        Assert.IsEmpty(left, $"{when}, the temporary folder holds: {string.Join(", ", left)}");
    }

    private static Process Start(string? temp, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, Tool));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (temp is not null)
        {
            start.Environment["TMPDIR"] = temp;
        }

        return Process.Start(start)!;
    }

    private static string Run(TimeSpan timeout, string? temp, params string[] args)
    {
        using var process = Start(temp, args);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{string.Join(' ', args)} did not finish within {timeout}");
        }
        Assert.AreEqual(0, process.ExitCode, $"{string.Join(' ', args)} exited with {process.ExitCode} (a crash if negative or above 128): {stdout.Result}{stderr.Result}");
        return stdout.Result;
    }
}
