using BenchmarkDotNet.Running;
using Ml.Ood.Benchmarks;

// Benchmarks: dotnet run -c Release --project tests/Ml.Ood.Benchmarks -- --filter '*'
// Helpers for the scripts: fit-knn ZIP [BANK_ROWS] | score-knn ZIP [OUT_NPY] | score-neglabel OUT_NPY | score-oodd OUT_NPY
return args.FirstOrDefault() switch
{
    "fit-knn" => KnnCommands.Fit(args[1], args.Length > 2 ? int.Parse(args[2]) : null),
    "score-knn" => KnnCommands.Score(args[1], args.Length > 2 ? args[2] : null),
    "score-neglabel" => KnnCommands.ScoreNegativeLabels(args[1]),
    "score-oodd" => OoddBenchmarks.Score(args[1]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(EnergyHeadBenchmarks).Assembly).Run(args);
    return 0;
}
