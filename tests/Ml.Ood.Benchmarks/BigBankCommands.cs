using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Steps of big-bank.sh (issue 15, item 1): a KNN bank over ONNX's 2 GB limit fitted from random rows and saved, then
/// loaded with ml.Ood().Load and scored in a fresh process, each phase's time and the process's peak RSS (VmHWM) printed
/// against the bank's size. Rows are generated as they are read, so the data set itself holds no second copy of the bank.
/// </summary>
internal static class BigBankCommands
{
    /// <summary>big-bank-fit ZIP ROWS DIMS [EXTERNAL_FROM_BYTES]: fits k = 50 on ROWS random rows and saves the pipeline.</summary>
    public static int Fit(string zip, int rows, int dims, long? externalFrom)
    {
        var ml = new MLContext(seed: 1);
        var train = Rows(ml, rows, dims, seed: 1);
        double bankGb = (double)rows * dims * sizeof(float) / 1e9;
        Console.WriteLine($"bank {rows:N0} x {dims} floats = {bankGb:F2} GB; baseline {Memory()}");
        var watch = Stopwatch.StartNew();
        OodHeadTransformer model;
        using (externalFrom is long bytes ? ExternalBankWriter.OverrideThreshold(bytes) : null)
        {
            model = ml.Ood().Knn("KnnScore", "Embedding", k: 50).Fit(train);
        }

        Console.WriteLine($"fit {watch.Elapsed.TotalSeconds:F1} s (external data: {model.State.Model.Source.External?.IsLarge == true}); {Memory()}");
        watch.Restart();
        ml.Model.Save(model, train.Schema, zip);
        Console.WriteLine($"save {watch.Elapsed.TotalSeconds:F1} s, {new FileInfo(zip).Length / 1e9:F2} GB .zip; {Memory()}");
        model.Dispose();
        return 0;
    }

    /// <summary>
    /// big-bank-score ZIP QUERIES: ml.Ood().Load, then scores QUERIES random rows in blocks of the default size, twice (the
    /// second pass shows what the first paid for reading the mapped bank the first time).
    /// </summary>
    public static int Score(string zip, int queries)
    {
        var ml = new MLContext(seed: 1);
        Console.WriteLine($"baseline {Memory()}");
        var watch = Stopwatch.StartNew();
        var model = ml.Ood().Load(zip, out var schema);
        Console.WriteLine($"ml.Ood().Load {watch.Elapsed.TotalSeconds:F1} s; {Memory()}");
        int dims = ((VectorDataViewType)schema["Embedding"].Type).Size;
        watch.Restart();
        var scores = model.Transform(Rows(ml, queries, dims, seed: 2)).GetColumn<float>("KnnScore").ToArray();
        double seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"score {queries:N0} queries {seconds:F1} s ({queries / seconds:F0} rows/s), " +
            $"{scores.Count(float.IsFinite):N0} finite, mean {scores.Average():F4}; {Memory()}");

        // A second pass over the same queries: the first pays for the mapped bank's first reads, this one does not.
        watch.Restart();
        var again = model.Transform(Rows(ml, queries, dims, seed: 2)).GetColumn<float>("KnnScore").ToArray();
        seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"score again {queries:N0} queries {seconds:F1} s ({queries / seconds:F0} rows/s), " +
            $"{(again.AsSpan().SequenceEqual(scores) ? "bit for bit the first pass" : "DIFFERENT from the first pass")}; {Memory()}");
        (model as IDisposable)?.Dispose();
        return 0;
    }

    private static IDataView Rows(MLContext ml, int rows, int dims, int seed)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
        return ml.Data.LoadFromEnumerable(Generate(rows, dims, seed), definition);
    }

    /// <summary>Gaussian rows (the head makes them unit rows), a new array per row, generated as the cursor reads them.</summary>
    private static IEnumerable<Row> Generate(int rows, int dims, int seed)
    {
        var random = new Random(seed);
        for (int r = 0; r < rows; r++)
        {
            var row = new float[dims];
            for (int d = 0; d < dims; d++)
            {
                row[d] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            }

            yield return new Row { Embedding = row };
        }
    }

    /// <summary>This process's peak and current resident memory (Linux), in GB.</summary>
    private static string Memory()
    {
        if (!File.Exists("/proc/self/status"))
        {
            return "RSS n/a";
        }

        long Kb(string key) => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal))
            .Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]);
        return $"peak RSS {Kb("VmHWM:") / 1e6:F2} GB, RSS {Kb("VmRSS:") / 1e6:F2} GB";
    }

    private sealed class Row
    {
        public float[] Embedding { get; set; } = [];
    }
}
