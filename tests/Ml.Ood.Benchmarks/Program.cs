using BenchmarkDotNet.Running;
using Ml.Ood.Benchmarks;

// Benchmarks: dotnet run -c Release --project tests/Ml.Ood.Benchmarks -- --filter '*'
// Helpers for the scripts: fit-knn ZIP [BANK_ROWS] | score-knn ZIP [OUT_NPY] | score-neglabel OUT_NPY | score-oodd OUT_NPY
// | serve-load URL LABEL [SECONDS] [CLIENTS, e.g. 1,8,64] | write-pngs FOLDER (serving-load.sh)
// | big-bank-fit ZIP ROWS DIMS [EXTERNAL_FROM_BYTES] | big-bank-score ZIP QUERIES (big-bank.sh)
// | batch-costs ZIP [ROWS] [REPEATS] [all] (what one service batch costs, column by column)
return args.FirstOrDefault() switch
{
    "fit-knn" => KnnCommands.Fit(args[1], args.Length > 2 ? int.Parse(args[2]) : null),
    "score-knn" => KnnCommands.Score(args[1], args.Length > 2 ? args[2] : null),
    "score-neglabel" => KnnCommands.ScoreNegativeLabels(args[1]),
    "serve-load" => ServingLoad.Run(args[1], args[2], args.Length > 3 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 10,
        (args.Length > 4 ? args[4] : "1,8,64").Split(',').Select(int.Parse).ToArray()),
    "write-pngs" => ServingLoad.WritePngs(args[1]),
    "score-oodd" => OoddBenchmarks.Score(args[1]),
    "big-bank-fit" => BigBankCommands.Fit(args[1], int.Parse(args[2]), int.Parse(args[3]), args.Length > 4 ? long.Parse(args[4]) : null),
    "batch-costs" => BatchCosts.Run(args[1], args.Length > 2 ? int.Parse(args[2]) : 64, args.Length > 3 ? int.Parse(args[3]) : 50, args.Length > 4 && args[4] == "all"),
    "big-bank-score" => BigBankCommands.Score(args[1], int.Parse(args[2])),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(EnergyHeadBenchmarks).Assembly).Run(args);
    return 0;
}
