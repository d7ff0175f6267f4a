using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.Robustness;

/// <summary>
/// Issue 10, defect 1: PredictionEngines over one loaded model, used from many threads and created and disposed in
/// every pattern, must never crash and must all give the same bits as one engine alone. Models from ml.Ood().Load are
/// checked in every pattern (an engine that owns the model, one that does not, one engine per call); models from plain
/// ml.Model.Load only with OwnsTransformer = false, what ML.NET itself needs (dotnet/machinelearning#5945).
/// </summary>
internal static class ConcurrencyCheck
{
    private enum Pattern
    {
        OwningEnginePerThread,
        NonOwningEnginePerThread,
        OwningEnginePerCall,
        NonOwningEnginePerCall,
    }

    /// <param name="zip">The saved model.</param>
    /// <param name="repetitions">How many times every pattern runs, each time on a newly loaded model.</param>
    /// <param name="threads">Threads per pattern.</param>
    /// <param name="predictions">Predictions per thread with one engine per thread.</param>
    /// <param name="enginesPerThread">Engines (one prediction each) per thread with one engine per call: creating an
    /// engine costs ML.NET 5 to 20 ms, so this is smaller than <paramref name="predictions"/> in CI.</param>
    public static int Run(string zip, int repetitions, int threads, int predictions, int enginesPerThread)
    {
        var ml = new MLContext(seed: 1);
        var rows = RobustnessModel.TestRows();
        foreach (bool oodLoad in new[] { true, false })
        {
            var reference = Reference(ml, zip, oodLoad, rows);
            var patterns = oodLoad ? Enum.GetValues<Pattern>() : [Pattern.NonOwningEnginePerThread, Pattern.NonOwningEnginePerCall];
            for (int repetition = 0; repetition < repetitions; repetition++)
            {
                var model = Load(ml, zip, oodLoad);
                foreach (var pattern in patterns)
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    int count = pattern is Pattern.OwningEnginePerCall or Pattern.NonOwningEnginePerCall ? enginesPerThread : predictions;
                    RunThreads(ml, model, pattern, rows, reference, threads, count, $"{Loader(oodLoad)}, {pattern}, repetition {repetition}");
                    if (Environment.GetEnvironmentVariable("MLOOD_TIMINGS") is not null)
                    {
                        Console.WriteLine($"  {Loader(oodLoad)} {pattern}: {clock.Elapsed.TotalSeconds:F1} s");
                    }
                }
                (model as IDisposable)?.Dispose();
            }
            Console.WriteLine($"{Loader(oodLoad)}: {repetitions} repetitions x {patterns.Length} patterns x {threads} threads " +
                $"({predictions} predictions per engine per thread, {enginesPerThread} engines per thread with one per call): every score bitwise equal to one engine's.");
        }
        CheckOverRelease(ml, zip, rows);
        return 0;
    }

    private static ITransformer Load(MLContext ml, string zip, bool oodLoad)
        => oodLoad ? ml.Ood().Load(zip, out _) : ml.Model.Load(zip, out _);

    private static string Loader(bool oodLoad) => oodLoad ? "ml.Ood().Load" : "ml.Model.Load";

    private static int[][] Reference(MLContext ml, string zip, bool oodLoad, List<RawRow> rows)
    {
        var model = Load(ml, zip, oodLoad);
        using var engine = RobustnessModel.Engine(ml, model, ownsTransformer: false);
        var bits = rows.Select(r => engine.Predict(r).Bits()).ToArray();
        (model as IDisposable)?.Dispose();
        return bits;
    }

    private static void RunThreads(MLContext ml, ITransformer model, Pattern pattern, List<RawRow> rows, int[][] reference,
        int threads, int predictions, string what)
    {
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                Work(ml, model, pattern, rows, reference, predictions, t);
            }
            catch (Exception e)
            {
                failures.Enqueue($"thread {t}: {e.GetType().Name}: {e.Message}");
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        if (!failures.IsEmpty)
        {
            throw new InvalidOperationException($"{what}: {failures.Count} threads failed; first: {failures.First()}");
        }
    }

    private static void Work(MLContext ml, ITransformer model, Pattern pattern, List<RawRow> rows, int[][] reference, int predictions, int thread)
    {
        bool owns = pattern is Pattern.OwningEnginePerThread or Pattern.OwningEnginePerCall;
        bool perCall = pattern is Pattern.OwningEnginePerCall or Pattern.NonOwningEnginePerCall;
        PredictionEngine<RawRow, CatalogueRow>? engine = null;
        try
        {
            for (int i = 0; i < predictions; i++)
            {
                engine ??= RobustnessModel.Engine(ml, model, owns);
                int row = (i * 7 + thread * 13) % rows.Count;
                var bits = engine.Predict(rows[row]).Bits();
                if (!bits.SequenceEqual(reference[row]))
                {
                    throw new InvalidOperationException($"row {row}: [{string.Join(", ", bits)}] instead of [{string.Join(", ", reference[row])}]");
                }

                if (perCall)
                {
                    engine.Dispose();
                    engine = null;
                }
            }
        }
        finally
        {
            engine?.Dispose();
        }
    }

    /// <summary>A model disposed more often than it was shared really goes: its engines then throw, they never crash.</summary>
    private static void CheckOverRelease(MLContext ml, string zip, List<RawRow> rows)
    {
        var model = ml.Ood().Load(zip, out _);
        var engine = RobustnessModel.Engine(ml, model, ownsTransformer: false);
        engine.Predict(rows[0]);
        for (int i = 0; i < 3; i++)
        {
            (model as IDisposable)?.Dispose();
        }

        try
        {
            engine.Predict(rows[1]);
            throw new InvalidOperationException("an engine over a model disposed more often than it was shared still scored");
        }
        catch (ObjectDisposedException)
        {
            Console.WriteLine("over-released model: ObjectDisposedException, as documented.");
        }
    }
}
