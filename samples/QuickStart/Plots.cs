using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.QuickStart;

/// <summary>Hands the scores to QuickStart.Plots, which draws the PNGs in a process of its own.</summary>
internal static class Plots
{
    public static void Draw(MLContext ml, IDataView scored, IReadOnlyList<string> heads, IReadOnlyList<(string Name, int Set)> sets, string folder)
    {
        string tsv = Path.Combine(folder, "scores.tsv");
        using (var writer = new StreamWriter(tsv))
        {
            writer.WriteLine("set\thead\tis_ood\tscore");
            foreach (var (name, set) in sets)
            {
                var rows = ml.Data.FilterRowsByColumn(scored, "Set", lowerBound: Math.Min(0, set), upperBound: Math.Max(0, set) + 1);
                var truth = rows.GetColumn<bool>("IsOodTruth").ToArray();
                foreach (string head in heads)
                {
                    int i = 0;
                    foreach (float score in rows.GetColumn<float>(head))
                    {
                        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{head}\t{(truth[i++] ? 1 : 0)}\t{score:R}"));
                    }
                }
            }
        }
        // The plotting app is built beside this one (same configuration) by the project reference.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string app = Path.Combine(Repository.Root, "samples", "QuickStart.Plots", "bin", configuration, "net10.0", "QuickStart.Plots.dll");
        if (!File.Exists(app))
        {
            throw new QuickStartException($"{app} is missing; build it with: dotnet build -c {configuration} samples/QuickStart.Plots");
        }

        using var process = Process.Start("dotnet", [app, tsv, folder])!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new QuickStartException($"QuickStart.Plots failed with exit code {process.ExitCode} (its error is above); the metrics above stand.");
        }
    }
}
