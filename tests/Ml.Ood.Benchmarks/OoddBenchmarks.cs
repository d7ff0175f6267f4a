using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Samples;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Issue 13's benchmark: OODD over a stream of 100,000 rows of 512-d against a 50,000-row bank, q = 2,048, B = 512,
/// K1 = K2 = 100 (ImageNet defaults), through an ML.NET pipeline; oodd-vs-numpy.sh times peer/oodd.py on the same arrays
/// (made by <c>oodd.py make</c>; smaller with its --rows/--bank).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class OoddBenchmarks
{
    private IDataView _stream = null!;
    private OodTestTimeTransformer _head = null!;

    /// <summary>The data folder: MLOOD_BENCH_OODD_DATA, else .cache/synth-oodd in the repository.</summary>
    public static string Folder => Environment.GetEnvironmentVariable("MLOOD_BENCH_OODD_DATA")
        ?? Path.Combine(Path.GetDirectoryName(SynthData.Folder)!, "synth-oodd");

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(seed: 1);
        (_head, _stream) = Fit(ml, Folder);
    }

    [Benchmark(Description = "MlOod OODD head in an ML.NET pipeline (the whole stream)")]
    public double Pipeline()
    {
        double sum = 0;
        foreach (float score in _head.Transform(_stream).GetColumn<float>("OoddScore"))
        {
            sum += score;
        }

        return sum;
    }

    [GlobalCleanup]
    public void Cleanup() => _head.Dispose();

    /// <summary>The head fitted on the folder's bank (alpha = 1: the bank is given), and the stream as a view.</summary>
    internal static (OodTestTimeTransformer Head, IDataView Stream) Fit(MLContext ml, string folder)
    {
        var head = ml.Ood().Oodd(new OoddOptions { FeatureColumnName = "Features", Alpha = 1 }).Fit(View(ml, Path.Combine(folder, "oodd_bank.npy")));
        return (head, View(ml, Path.Combine(folder, "oodd_stream.npy")));
    }

    private static IDataView View(MLContext ml, string npy)
    {
        var (data, shape) = Npy.ReadFloat32(npy);
        var definition = SchemaDefinition.Create(typeof(FeatureRow));
        definition[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape[1]);
        var rows = Enumerable.Range(0, shape[0]).Select(r => new FeatureRow { Features = data.AsSpan(r * shape[1], shape[1]).ToArray() }).ToList();
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>Scores the folder's stream and writes them (float64, MlOod's sign) for oodd.py's comparison.</summary>
    internal static int Score(string outFile)
    {
        var ml = new MLContext(seed: 1);
        var (head, stream) = Fit(ml, Folder);
        using (head)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            float[] scores = head.Transform(stream).GetColumn<float>("OoddScore").ToArray();
            clock.Stop();
            Console.WriteLine($"MlOod, one pass (no warm-up): {scores.Length / clock.Elapsed.TotalSeconds:N0} rows/s ({clock.Elapsed.TotalSeconds:F2} s)");
            Npy.WriteFloat64(outFile, scores.Select(s => (double)s).ToArray());
        }

        return 0;
    }

    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
    }
}
