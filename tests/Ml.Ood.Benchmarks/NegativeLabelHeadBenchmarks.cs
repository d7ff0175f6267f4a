using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Samples;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Issue 4's benchmark: the NegLabel head (tau 0.01, one group) over 10,000 image embeddings against 1,000 ID
/// and 10,000 negative label embeddings, 512-d, from make_synth.py (--n-classes 1000), through an ML.NET
/// pipeline. negative-labels-vs-numpy.sh times peer.py's numpy matmul + softmax on the same arrays.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class NegativeLabelHeadBenchmarks
{
    private IDataView _test = null!;
    private OodHeadTransformer _head = null!;

    /// <summary>The data folder: MLOOD_BENCH_NEG_DATA, else .cache/synth-neg in the repository.</summary>
    public static string Folder => Environment.GetEnvironmentVariable("MLOOD_BENCH_NEG_DATA")
        ?? Path.Combine(Path.GetDirectoryName(SynthData.Folder)!, "synth-neg");

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(seed: 1);
        var data = SynthData.Load(Folder);
        _test = data.TestView(ml);
        _head = ml.Ood().NegativeLabels("NegLabelScore", "Embedding", Rows(Folder, "id_text_emb.npy"), Rows(Folder, "neg_text_emb.npy"),
            temperature: 0.01f, groups: 1).Fit(_test);
    }

    [Benchmark(Description = "MlOod NegLabel head in an ML.NET pipeline (10,000 rows)")]
    public double Pipeline()
    {
        double sum = 0;
        foreach (float score in _head.Transform(_test).GetColumn<float>("NegLabelScore"))
        {
            sum += score;
        }

        return sum;
    }

    [GlobalCleanup]
    public void Cleanup() => _head.Dispose();

    internal static float[][] Rows(string folder, string file)
    {
        var (data, shape) = Npy.ReadFloat32(Path.Combine(folder, file));
        return Enumerable.Range(0, shape[0]).Select(r => data.AsSpan(r * shape[1], shape[1]).ToArray()).ToArray();
    }
}
