using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// Every file-based app under samples/apps runs (`dotnet run app.cs`, as a user types it), and every notebook
/// under samples/notebooks holds the same program as its file-based twin (notebooks cannot run here:
/// Polyglot Notebooks are deprecated and no .NET Interactive kernel is available).
/// </summary>
[TestClass]
public sealed class FileBasedAppTests
{
    private static string Apps => Path.Combine(RepositoryPaths.Root, "samples", "apps");

    public static IEnumerable<object[]> AppNames
        => Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "samples", "apps"), "*.cs").Select(f => new object[] { Path.GetFileNameWithoutExtension(f) });

    [TestMethod]
    [DynamicData(nameof(AppNames))]
    public void AppRunsAndDetectsOutOfDistributionImages(string app)
    {
        Run("bash", Path.Combine(RepositoryPaths.Root, "samples", "data", "fetch.sh"));
        string output = Run("dotnet", "run", Path.Combine(Apps, app + ".cs"));
        var aurocs = Regex.Matches(output, @"AUROC (\d\.\d+)").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.IsNotEmpty(aurocs, $"{app} printed no AUROC:\n{output}");
        foreach (double auroc in aurocs)
        {
            Assert.IsGreaterThanOrEqualTo(0.95, auroc, $"{app}:\n{output}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(AppNames))]
    public void NotebookHoldsTheSameProgramAsItsApp(string app)
    {
        string notebook = Path.Combine(RepositoryPaths.Root, "samples", "notebooks", app + ".ipynb");
        Assert.IsTrue(File.Exists(notebook), $"{app}.cs has no notebook twin; run samples/notebooks/make_notebooks.py");

        var appLines = CodeLines(File.ReadAllLines(Path.Combine(Apps, app + ".cs"))
            .Where(l => !l.StartsWith("#:", StringComparison.Ordinal) && !l.StartsWith("#!", StringComparison.Ordinal))
            .SkipWhile(l => !l.StartsWith("using ", StringComparison.Ordinal)));

        using var json = JsonDocument.Parse(File.ReadAllText(notebook));
        var cells = json.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code")
            .Select(c => string.Concat(c.GetProperty("source").EnumerateArray().Select(s => s.GetString())).Split('\n'))
            .ToList();
        // Cell 0: package references and usings; cell 1: the types (a file-based app declares them last); then the steps.
        var usings = cells[0].Where(l => !l.StartsWith("#r ", StringComparison.Ordinal) && !l.StartsWith("#i ", StringComparison.Ordinal));
        var notebookLines = CodeLines(usings.Concat(cells.Skip(2).SelectMany(c => c)).Concat(cells[1]));

        CollectionAssert.AreEqual(appLines, notebookLines, $"{app}.ipynb differs from {app}.cs; run samples/notebooks/make_notebooks.py");
    }

    private static string[] CodeLines(IEnumerable<string> lines)
        => lines.Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();

    private static string Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryPaths.Root };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(10)), $"{program} {string.Join(' ', args)} did not finish");
        Assert.AreEqual(0, process.ExitCode, $"{program} {string.Join(' ', args)} failed:\n{stdout}\n{stderr.Result}");
        return stdout;
    }
}
