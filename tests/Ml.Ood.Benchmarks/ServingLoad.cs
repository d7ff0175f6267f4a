using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Ml.Ood.Samples;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// serve-load URL LABEL [SECONDS] [CLIENTS]: closed-loop clients against a running samples/Service, each sending one
/// 28 x 28 PNG per request (seeded noise; the scoring cost does not depend on the content) and waiting for its answer.
/// Prints one markdown row per client count: throughput (requests/s), p50 and p99 latency, errors. Run by
/// serving-load.sh with LOAD=dotnet, which starts the service in each mode (its default client is wrk, which takes less
/// of the shared cores); MLOOD_LOAD_WARMUP sets the warm-up seconds per point (default min(2, SECONDS / 4)). MLOOD_LOAD_PATH (default /score) posts the same bodies to another
/// path: a path the service does not route (answered 404 without reading an image) measures what HTTP and these clients
/// alone cost on the machine, the ceiling any scoring mode stays under (its "errors" are then the 404s).
/// </summary>
public static class ServingLoad
{
    private static readonly string Path = Environment.GetEnvironmentVariable("MLOOD_LOAD_PATH") is { Length: > 0 } path ? path : "/score";

    public static int Run(string url, string label, double seconds, int[] clients)
    {
        var images = Enumerable.Range(0, ImageCount).Select(NoiseImage).ToArray();
        foreach (int count in clients)
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = count, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = new Uri(url),
            };
            // Warm-up: connections, JIT (tiered compilation settles only after several seconds under load), the engine pool.
            Measure(http, images, count, Environment.GetEnvironmentVariable("MLOOD_LOAD_WARMUP") is { Length: > 0 } warmup
                ? double.Parse(warmup, CultureInfo.InvariantCulture) : Math.Min(2, seconds / 4));
            var (requests, errors, latencies, elapsed) = Measure(http, images, count, seconds);
            latencies.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label,-9} | {count,7} | {requests / elapsed,10:F0} | {Percentile(latencies, 0.50),8:F2} | {Percentile(latencies, 0.99),8:F2} | {errors,6} |"));
        }
        return 0;
    }

    private const int ImageCount = 256;

    /// <summary>write-pngs FOLDER: the same 256 request bodies as files (0.png ... 255.png), for wrk (serving-load.sh).</summary>
    public static int WritePngs(string folder)
    {
        Directory.CreateDirectory(folder);
        for (int i = 0; i < ImageCount; i++)
        {
            File.WriteAllBytes(System.IO.Path.Combine(folder, $"{i}.png"), NoiseImage(i));
        }

        return 0;
    }

    private static byte[] NoiseImage(int seed)
    {
        var pixels = new byte[28 * 28];
        new Random(seed).NextBytes(pixels);
        return Png.Grey(pixels, 28, 28);
    }

    private static (long Requests, long Errors, List<double> LatenciesMs, double Seconds) Measure(HttpClient http, byte[][] images, int clients, double seconds)
    {
        var until = Stopwatch.StartNew();
        long errors = 0;
        var perClient = new List<double>[clients];
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var latencies = perClient[c] = [];
            int next = c;
            while (until.Elapsed.TotalSeconds < seconds)
            {
                using var content = new ByteArrayContent(images[next++ % images.Length]);
                content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                long start = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(Path, content);
                await response.Content.ReadAsByteArrayAsync();
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToArray();
        Task.WaitAll(tasks);
        var all = perClient.SelectMany(l => l).ToList();
        return (all.Count, errors, all, until.Elapsed.TotalSeconds);
    }

    private static double Percentile(List<double> sorted, double p)
        => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
