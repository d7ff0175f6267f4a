using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.QuickStart;

/// <summary>
/// --time-heads: each MlOod head's own time over the scored test images (its input columns already computed and cached),
/// the best of five passes, so that scripts/gpu-check.sh can set the GPU's times next to the CPU's.
/// </summary>
public static class HeadTimings
{
    public static void Print(MLContext ml, ITransformer model, IDataView scored, string device)
    {
        var input = ml.Data.Cache(scored);
        long rows = input.GetColumn<float>(OodJob.Heads[0]).LongCount();
        Console.WriteLine($"Head timings on {device} ({rows:N0} rows, best of 5 passes):");
        foreach (var head in Heads(model))
        {
            var best = TimeSpan.MaxValue;
            for (int pass = 0; pass < 5; pass++)
            {
                var clock = Stopwatch.StartNew();
                var output = head.Transform(input);
                long read = head.Head.OutputKind == OodHeadOutputKind.Score
                    ? output.GetColumn<float>(head.Head.OutputColumnName).LongCount()
                    : output.GetColumn<bool>(head.Head.OutputColumnName).LongCount();
                best = clock.Elapsed < best ? clock.Elapsed : best;
                if (read != rows)
                {
                    throw new InvalidOperationException($"{head.Head.OutputColumnName}: {read} rows scored of {rows}.");
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  time {head.Head.OutputColumnName,-18} {best.TotalMilliseconds,9:F2} ms"));
        }
    }

    private static IEnumerable<OodHeadTransformer> Heads(ITransformer model) => model switch
    {
        OodHeadTransformer head => [head],
        IEnumerable<ITransformer> chain => chain.SelectMany(Heads),
        _ => [],
    };
}
