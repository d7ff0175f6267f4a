using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.QuickStart;

namespace Ml.Ood.Cluster;

/// <summary>
/// The client: the quick start's bank and test images through the LeNet encoder, a single-process KNN head and the same
/// head with its bank in shards on the silos (the encoder and the sharded head saved as one ML.NET .zip and loaded with
/// ml.Ood().LoadSharded), both evaluated on MNIST against Fashion-MNIST.
/// </summary>
public static class ClientProcess
{
    public static async Task<int> RunAsync(ClusterOptions options)
    {
        // Step 1: a client of the localhost cluster, through every silo's gateway.
        var gateways = Enumerable.Range(0, options.Silos).Select(i => new IPEndPoint(IPAddress.Loopback, ClusterOptions.GatewayPort + i)).ToArray();
        using var host = Host.CreateDefaultBuilder().UseOrleansClient(client => client.UseStaticClustering(gateways)).Build();
        await host.StartAsync();
        var cluster = host.Services.GetRequiredService<IClusterClient>();

        // Step 2: the quick start's encoder (an ONNX model in the pipeline) and its bank embeddings, computed once.
        var ml = new MLContext(seed: 0);
        var data = MnistData.Open();
        var sizes = new JobSizes();
        var images = OodJob.BankImages(ml, data, sizes);
        var encoder = OodJob.Encoder(ml).Fit(images);
        var bank = ml.Data.Cache(encoder.Transform(images));
        var test = OodJob.TestImages(ml, data, sizes);

        // Step 3: the single-process head, and the same head with its bank cut into shards served by the silos. The
        // sharded pipeline (encoder, sharded KNN) is saved as an ordinary ML.NET .zip: it holds the shard manifest and
        // call settings, and loading it needs only the cluster client.
        var single = encoder.Append(ml.Ood().Knn("KnnScore", "embedding", k: 50).Fit(bank));
        var sharded = ml.Ood().ShardedKnn(cluster, new FolderShardStore(options.Store), new ShardedKnnOptions
        {
            Knn = new KnnOptions { InputColumnName = "embedding", OutputColumnName = "KnnScore", K = 50 },
            Shards = options.Shards,
        }).Fit(bank);
        string zip = Path.Combine(options.Store, "quickstart-knn-sharded.zip");
        ml.Model.Save(encoder.Append(sharded), images.Schema, zip);
        var loaded = ml.Ood().LoadSharded(zip, cluster, out _);

        // Step 4: score the test images with both pipelines and compare.
        var watch = Stopwatch.StartNew();
        var singleScored = ml.Data.Cache(single.Transform(test));
        var singleScores = singleScored.GetColumn<float>("KnnScore").ToArray();
        double singleSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var shardedScored = ml.Data.Cache(loaded.Transform(test));
        var shardedScores = shardedScored.GetColumn<float>("KnnScore").ToArray();
        double shardedSeconds = watch.Elapsed.TotalSeconds;
        int differing = singleScores.Zip(shardedScores).Count(p => BitConverter.SingleToInt32Bits(p.First) != BitConverter.SingleToInt32Bits(p.Second));
        var singleMetrics = OodJob.Evaluate(ml, singleScored, "KnnScore", 1);
        var shardedMetrics = OodJob.Evaluate(ml, shardedScored, "KnnScore", 1);

        Console.WriteLine($"KNN (k = 50) over {bank.GetRowCount():N0} MNIST embeddings, {singleScores.Length:N0} test images:");
        Console.WriteLine($"  single process      AUROC (MNIST vs Fashion-MNIST) {singleMetrics.AreaUnderRocCurve:F4}  ({singleSeconds:F2} s)");
        Console.WriteLine($"  {options.Shards} shards, {options.Silos} silos  AUROC (MNIST vs Fashion-MNIST) {shardedMetrics.AreaUnderRocCurve:F4}  ({shardedSeconds:F2} s)");
        Console.WriteLine($"  scores that differ bit for bit: {differing}");
        (loaded as IDisposable)?.Dispose();
        await host.StopAsync();
        return differing == 0 && singleMetrics.AreaUnderRocCurve == shardedMetrics.AreaUnderRocCurve ? 0 : 1;
    }
}

// Expected output (2 shards on 2 silos, measured on the 2-core test machine; times vary, and include the encoder in both
// pipelines):
// KNN (k = 50) over 10,000 MNIST embeddings, 6,000 test images:
//   single process      AUROC (MNIST vs Fashion-MNIST) 0.9902  (0.70 s)
//   2 shards, 2 silos  AUROC (MNIST vs Fashion-MNIST) 0.9902  (2.31 s)
//   scores that differ bit for bit: 0
