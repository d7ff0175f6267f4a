using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Ml.Ood;
using Ml.Ood.Evaluators.Benchmarks;

// dotnet run -c Release -- --dump <folder>: writes the 1M-row detection data for sklearn_peer.py and
// prints MlOod's values and best-of-5 wall times on it. Anything else goes to BenchmarkDotNet.
if (args.Length == 2 && args[0] == "--dump")
{
    var (isOod, scores) = BenchmarkData.Detection();
    Directory.CreateDirectory(args[1]);
    File.WriteAllBytes(Path.Combine(args[1], "is_ood.u8"), isOod.Select(b => b ? (byte)1 : (byte)0).ToArray());
    using (var f = File.Create(Path.Combine(args[1], "score.f32")))
    {
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(scores.AsSpan()));
    }

    var m = OodMetrics.EvaluateDetection(isOod, scores);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"auroc={m.AreaUnderRocCurve:R} aupr_in={m.AreaUnderPrecisionRecallCurveIn:R} aupr_out={m.AreaUnderPrecisionRecallCurveOut:R} fpr95={m.FalsePositiveRateAtTruePositiveRate95:R}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mlood_auroc_s={Best(() => OodMetrics.AreaUnderRocCurve(isOod, scores)):F4}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mlood_aupr_out_s={Best(() => OodMetrics.AreaUnderPrecisionRecallCurveOut(isOod, scores)):F4}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mlood_all_s={Best(() => OodMetrics.EvaluateDetection(isOod, scores)):F4}"));
    return;
}

var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithWarmupCount(1).WithIterationCount(3).WithId("Short"));
BenchmarkSwitcher.FromAssembly(typeof(EvaluatorBenchmarks).Assembly).Run(args, config);

static double Best(Action action)
{
    double best = double.MaxValue;
    for (int i = 0; i < 5; i++)
    {
        var sw = Stopwatch.StartNew();
        action();
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }

    return best;
}
