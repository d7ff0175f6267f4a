// Draws the quick start's plots from the scores it wrote (see QuickStart.Plots.csproj for why a second process).
// Usage: QuickStart.Plots <scores.tsv> <output folder>; scores.tsv: set, head, is_ood (0/1), score, tab-separated.
using System.Globalization;
using Ml.Ood;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: QuickStart.Plots <scores.tsv> <output folder>");
    return 2;
}

var rows = File.ReadLines(args[0]).Skip(1).Select(line => line.Split('\t'))
    .Select(f => (Set: f[0], Head: f[1], IsOod: f[2] == "1", Score: float.Parse(f[3], CultureInfo.InvariantCulture)))
    .ToList();
// What each OOD set is, for the titles: a plot read on its own names the head, the ID set and the OOD set.
var oodSets = new Dictionary<string, string>
{
    ["near"] = "Fashion-MNIST (near-OOD)",
    ["far"] = "textures (far-OOD)",
};
foreach (var set in rows.GroupBy(r => r.Set))
{
    string against = "MNIST (ID) vs " + oodSets.GetValueOrDefault(set.Key, set.Key);
    var report = new OodReport();
    foreach (var head in set.GroupBy(r => r.Head))
    {
        var metrics = OodMetrics.EvaluateDetection(head.Select(r => r.IsOod).ToArray(), head.Select(r => r.Score).ToArray());
        report.Add(head.Key, metrics);
        if (head.Key is "EnergyScore" or "KnnScore")
        {
            metrics.SaveScoreHistogramPng(Path.Combine(args[1], $"histogram-{head.Key}-{set.Key}.png"),
                title: string.Create(CultureInfo.InvariantCulture, $"{head.Key}: {against}, AUROC {metrics.AreaUnderRocCurve:F4}"));
        }
        if (head.Key is "KnnScore")
        {
            // The head behind the IsOod decision: its ROC alone, with the FPR@95TPR operating point marked.
            metrics.SaveRocCurvePng(Path.Combine(args[1], $"roc-{head.Key}-{set.Key}.png"),
                string.Create(CultureInfo.InvariantCulture, $"{head.Key}: {against}, AUROC {metrics.AreaUnderRocCurve:F4}"));
        }
    }
    report.SaveRocCurvesPng(Path.Combine(args[1], $"roc-{set.Key}.png"), $"ROC curves: {against}");
}
return 0;
