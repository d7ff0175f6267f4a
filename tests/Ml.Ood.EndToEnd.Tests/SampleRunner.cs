using System.Diagnostics;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>Runs a sample program the way a user does and returns what it printed.</summary>
internal static class SampleRunner
{
    public static string Run(string assemblyFileName, TimeSpan timeout, string? workingDirectory = null, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assemblyFileName));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(timeout), $"{assemblyFileName} did not finish within {timeout}");
        Assert.AreEqual(0, process.ExitCode, $"{assemblyFileName} failed: {stderr.Result}");
        return stdout;
    }

    /// <summary>Runs a sample that is expected to fail; returns its exit code and what it wrote to each stream.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunExpectingFailure(string assemblyFileName, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assemblyFileName));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(timeout), $"{assemblyFileName} did not finish within {timeout}");
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>The lines of a sample's <c>// Expected output:</c> comment block, without the comment marks.</summary>
    public static string[] ExpectedOutput(string sourceFile)
        => File.ReadAllLines(sourceFile)
            .SkipWhile(line => !line.StartsWith("// Expected output", StringComparison.Ordinal))
            .Skip(1)
            .TakeWhile(line => line.StartsWith("//", StringComparison.Ordinal))
            .Select(line => line.Length > 2 ? line[3..] : "")
            .ToArray();
}
