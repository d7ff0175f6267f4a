using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// docs/TEST-TIME-HEADS.md section 3 in another process, for any test-time head: saved with ml.Model.Save, it scores a
/// stream bit for bit as here after ml.Ood().Load in a process of its own (Ml.Ood.LoadCheck --mlood-load), within 1e-5 of
/// the reference, and a plain ml.Model.Load there refuses at the first row naming ml.Ood().Load.
/// </summary>
internal static class TestTimeInAnotherProcess
{
    /// <summary>A view of one known-size vector column "Features".</summary>
    public static IDataView View(MLContext ml, float[][] rows)
    {
        var definition = SchemaDefinition.Create(typeof(FeatureOnly));
        definition[nameof(FeatureOnly.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Length);
        return ml.Data.LoadFromEnumerable(rows.Select(r => new FeatureOnly { Features = r }).ToList(), definition);
    }

    public static void AssertScoresAlikeAndPlainLoadRefuses(TestContext context, MLContext ml, ITransformer model, float[][] stream,
        string column, float[] expected, string reference)
    {
        var view = View(ml, stream);
        float[] here = model.Transform(view).GetColumn<float>(column).ToArray();
        string folder = context.TestRunResultsDirectory ?? Path.GetTempPath();
        string zip = Path.Combine(folder, $"{column}-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, view.Schema, zip);
        string features = Path.Combine(folder, $"{column}-stream-{Guid.NewGuid():N}.bin");
        LogitsData.WriteBinary(features, stream);

        var (code, stderr, output) = Run(folder, "--mlood-load", zip, features, column);
        Assert.AreEqual(0, code, stderr);
        var lines = File.ReadAllLines(output);
        Assert.AreEqual($"{column}\tSingle", lines[0]);
        float[] there = [.. lines[1].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture))];
        CollectionAssert.AreEqual(here, there, "ml.Ood().Load in another process: bit for bit");
        HeadHarness.AssertAllClose(expected, there, 1e-5, $"another process vs {reference}");

        var (plainCode, plainError, _) = Run(folder, null, zip, features, column);
        Assert.AreNotEqual(0, plainCode, "plain ml.Model.Load must not score a test-time head");
        StringAssert.Contains(plainError, "ml.Ood().Load");
    }

    private static (int Code, string Stderr, string Output) Run(string folder, string? flag, string zip, string features, string column)
    {
        string output = Path.Combine(folder, $"{column}-scores-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ml.Ood.LoadCheck.dll"));
        if (flag is not null)
        {
            start.ArgumentList.Add(flag);
        }

        foreach (string arg in new[] { zip, features, output, column })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(2)), "the loading process did not finish");
        return (process.ExitCode, stderr, output);
    }

    private sealed class FeatureOnly
    {
        public float[] Features { get; set; } = [];
    }
}
