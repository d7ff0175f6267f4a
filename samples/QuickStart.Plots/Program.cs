// Draws the quick start's plots from the scores it wrote (see QuickStart.Plots.csproj for why a second process).
// Usage: QuickStart.Plots <scores.tsv> <output folder>; scores.tsv: set, head, is_ood (0/1), score, tab-separated.
using System.Globalization;
using Ml.Ood;
using Ml.Ood.Evaluators;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: QuickStart.Plots <scores.tsv> <output folder>");
    return 2;
}

var rows = File.ReadLines(args[0]).Skip(1).Select(line => line.Split('\t'))
    .Select(f => (Set: f[0], Head: f[1], IsOod: f[2] == "1", Score: float.Parse(f[3], CultureInfo.InvariantCulture)))
    .ToList();
var titles = new Dictionary<string, string>
{
    ["near"] = "MNIST vs Fashion-MNIST (near-OOD)",
    ["far"] = "MNIST vs textures (far-OOD)",
};
foreach (var set in rows.GroupBy(r => r.Set))
{
    var report = new OodReport();
    foreach (var head in set.GroupBy(r => r.Head))
    {
        var metrics = OodMetrics.EvaluateDetection(head.Select(r => r.IsOod).ToArray(), head.Select(r => r.Score).ToArray());
        report.Add(head.Key, metrics);
        if (head.Key is "EnergyScore" or "KnnScore")
            metrics.SaveScoreHistogramPng(Path.Combine(args[1], $"histogram-{head.Key}-{set.Key}.png"));
    }
    report.SaveRocCurvesPng(Path.Combine(args[1], $"roc-{set.Key}.png"), titles.GetValueOrDefault(set.Key, set.Key));
}
return 0;
