using System.Diagnostics;
using Microsoft.ML;

namespace Ml.Ood.Robustness;

/// <summary>
/// Issue 10, defect 3: every damaged copy of a saved model either fails ml.Ood().Load with the documented
/// InvalidDataException or loads and scores every test row exactly as the original does; never another exception, a
/// crash, a hang, or a silent difference.
/// </summary>
internal static class FuzzCheck
{
    public static int Run(string zip, int seed, int count)
    {
        var ml = new MLContext(seed: 1);
        var data = RobustnessModel.Load(ml, RobustnessModel.TestRows());
        byte[] original = File.ReadAllBytes(zip);
        int[][] expected;
        var first = ml.Ood().Load(zip, out _);
        expected = RobustnessModel.ScoreBatched(first, data);
        (first as IDisposable)?.Dispose();

        var random = new Random(seed);
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var violations = new List<string>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            var (what, bytes) = ZipMutator.Mutate(original, random);
            string outcome = Try(ml, bytes, data, expected, out string? violation);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (violation is not null)
            {
                violations.Add($"mutant {i} ({what}): {violation}");
            }
        }
        Console.WriteLine($"{count} mutants (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s:");
        foreach (var (outcome, n) in outcomes)
        {
            Console.WriteLine($"  {n,6}  {outcome}");
        }

        foreach (string violation in violations.Take(20))
        {
            Console.WriteLine($"VIOLATION {violation}");
        }

        return violations.Count == 0 ? 0 : 1;
    }

    private static string Try(MLContext ml, byte[] bytes, IDataView data, int[][] expected, out string? violation)
    {
        violation = null;
        ITransformer model;
        try
        {
            model = ml.Ood().Load(new MemoryStream(bytes), out _);
        }
        catch (InvalidDataException e)
        {
            if (Environment.GetEnvironmentVariable("MLOOD_FUZZ_VERBOSE") is not null)
            {
                Console.WriteLine($"refused: {Describe(e)}");
            }

            return "refused: " + Category(e.Message);
        }
        catch (Exception e)
        {
            violation = $"undocumented exception from Load: {Describe(e)}";
            return "VIOLATION: undocumented exception";
        }
        try
        {
            var actual = RobustnessModel.ScoreBatched(model, data);
            for (int r = 0; r < expected.Length; r++)
            {
                if (!actual[r].SequenceEqual(expected[r]))
                {
                    violation = $"row {r} scored [{string.Join(", ", actual[r])}] instead of [{string.Join(", ", expected[r])}]";
                    return "VIOLATION: silent difference";
                }
            }
            return "loaded, identical scores";
        }
        catch (Exception e)
        {
            violation = $"loaded, then an exception while scoring: {Describe(e)}";
            return "VIOLATION: failed after loading";
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>The exception and its inner exceptions, with where the innermost was thrown.</summary>
    private static string Describe(Exception e)
    {
        var chain = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            chain.Add($"{current.GetType().Name}: {current.Message}");
        }

        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        string where = innermost.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("Ml.Ood", StringComparison.Ordinal) || l.Contains("Microsoft.ML", StringComparison.Ordinal))?.Trim() ?? "";
        return string.Join(" <- ", chain) + (where.Length > 0 ? $" [{where}]" : "");
    }

    /// <summary>The kind of refusal, without the entry names and numbers, so that counts group.</summary>
    private static string Category(string message)
    {
        if (message.Contains("CRC-32", StringComparison.Ordinal))
        {
            return "entry CRC-32";
        }

        if (message.Contains("content hash", StringComparison.Ordinal))
        {
            return "head content hash";
        }

        if (message.Contains("two entries", StringComparison.Ordinal))
        {
            return "duplicate entry";
        }

        if (message.Contains("not a readable .zip", StringComparison.Ordinal))
        {
            return "not a readable .zip";
        }

        if (message.Contains("bytes where the .zip", StringComparison.Ordinal))
        {
            return "entry size";
        }

        if (message.Contains("ML.NET could not load it", StringComparison.Ordinal))
        {
            return "ML.NET could not load it";
        }

        if (message.Contains("cannot be trusted", StringComparison.Ordinal))
        {
            return "damaged entry (deflate or length)";
        }

        return "head check: " + message[..Math.Min(60, message.Length)];
    }
}
