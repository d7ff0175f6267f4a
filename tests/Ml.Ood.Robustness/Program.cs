// Production-safety checks that need a process of their own (issue 10). Usage:
//   save <model.zip>                                    fits the every-head model and saves it
//   concurrency <model.zip> <repetitions> <threads> <predictions> <engines-per-thread>
//   fuzz <model.zip> <seed> <count>                     damaged copies: refused, or identical scores
//   lifecycle <work-folder>                             run with TMPDIR set; the caller checks TMPDIR afterwards
//   hold <model.zip>                                    loads, prints READY, waits for kill -9
//   sweep                                               sweeps the private folders dead processes left
using Ml.Ood.Robustness;

try
{
    return args switch
    {
        ["save", var zip] => Save(zip),
        ["concurrency", var zip, var repetitions, var threads, var predictions, var engines] =>
            ConcurrencyCheck.Run(zip, int.Parse(repetitions), int.Parse(threads), int.Parse(predictions), int.Parse(engines)),
        ["fuzz", var zip, var seed, var count] => FuzzCheck.Run(zip, int.Parse(seed), int.Parse(count)),
        ["lifecycle", var folder] => LifecycleCheck.Run(folder),
        ["hold", var zip] => LifecycleCheck.Hold(zip),
        ["sweep"] => LifecycleCheck.Sweep(),
        _ => Usage(),
    };
}
catch (Exception e)
{
    Console.Error.WriteLine($"FAILED: {e}");
    return 1;
}

static int Save(string zip)
{
    RobustnessModel.Save(zip);
    Console.WriteLine($"saved {zip}");
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Ml.Ood.Robustness save|concurrency|fuzz|lifecycle|hold|sweep ... (see Program.cs)");
    return 2;
}
