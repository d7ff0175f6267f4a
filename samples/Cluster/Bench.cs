using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Cluster;

/// <summary>
/// The cluster benchmark's client (tests/Ml.Ood.Benchmarks/cluster-bench.sh starts the silos and reads their memory):
/// a seeded Gaussian bank of rows x dims, fitted as a sharded head on the running silos (or as the single-process head
/// with <c>--single</c>), then queries per second over a pass of seeded queries after a warm-up block.
/// </summary>
public static class Bench
{
    public static async Task<int> RunAsync(ClusterOptions options, string[] args)
    {
        int rows = Int(args, "--rows", 100_000), dims = Int(args, "--dims", 512), queries = Int(args, "--queries", 2_000), k = Int(args, "--k", 50);
        bool single = args.Contains("--single");
        var ml = new MLContext(seed: 0);
        var bank = Gaussian(ml, rows, dims, seed: 1);
        var test = ml.Data.Cache(Gaussian(ml, queries, dims, seed: 2));
        _ = test.GetColumn<int>("Id").Count(); // fills the cache outside the timing

        ITransformer head;
        IHost? client = null;
        var fitWatch = Stopwatch.StartNew();
        if (single)
        {
            head = ml.Ood().Knn("KnnScore", "Embedding", k: k).Fit(bank);
        }
        else
        {
            var gateways = Enumerable.Range(0, options.Silos).Select(i => new IPEndPoint(IPAddress.Loopback, ClusterOptions.GatewayPort + i)).ToArray();
            client = Host.CreateDefaultBuilder().UseOrleansClient(c => c.UseStaticClustering(gateways)).Build();
            await client.StartAsync();
            fitWatch.Restart();
            head = ml.Ood().ShardedKnn(client.Services.GetRequiredService<IClusterClient>(), new FolderShardStore(options.Store), new ShardedKnnOptions
            {
                Knn = new KnnOptions { InputColumnName = "Embedding", OutputColumnName = "KnnScore", K = k },
                Shards = options.Shards,
            }).Fit(bank);
        }
        double fitSeconds = fitWatch.Elapsed.TotalSeconds;
        GC.Collect();

        _ = head.Transform(ml.Data.TakeRows(test, 256)).GetColumn<float>("KnnScore").Count(); // warm-up: sessions, grains
        var watch = Stopwatch.StartNew();
        var scores = head.Transform(test).GetColumn<float>("KnnScore").ToArray();
        double seconds = watch.Elapsed.TotalSeconds;
        string arm = single ? "single process" : $"{options.Shards} shards on {options.Silos} silos";
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"bench {arm}: bank {rows:N0} x {dims}, k {k}: fit {fitSeconds:F1} s, {queries:N0} queries in {seconds:F2} s = {queries / seconds:F0} queries/s; client peak RSS {PeakRssMb():F0} MB; score checksum {scores.Sum(s => (double)s):R}"));
        if (client is not null)
        {
            await client.StopAsync();
            client.Dispose();
        }

        return 0;
    }

    /// <summary>
    /// This process's peak resident memory (VmHWM), in MB; NaN where /proc is missing. The line is "VmHWM:\t%8lu kB": split
    /// on any white space, since from 10 GB on no space follows the tab.
    /// </summary>
    public static double PeakRssMb()
    {
        const string status = "/proc/self/status";
        string? line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
        return line is null ? double.NaN : long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>Seeded Gaussian rows, generated as the view is read (never all in memory at once).</summary>
    private static IDataView Gaussian(MLContext ml, int rows, int dims, int seed)
    {
        IEnumerable<BenchRow> Rows()
        {
            var random = new Random(seed);
            for (int i = 0; i < rows; i++)
            {
                var row = new float[dims];
                for (int d = 0; d < dims; d++)
                {
                    row[d] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
                }

                yield return new BenchRow { Embedding = row, Id = i };
            }
        }

        var definition = SchemaDefinition.Create(typeof(BenchRow));
        definition[nameof(BenchRow.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
        return ml.Data.LoadFromEnumerable(Rows(), definition);
    }

    private static int Int(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private sealed class BenchRow
    {
        public float[] Embedding { get; set; } = [];

        public int Id { get; set; }
    }
}
