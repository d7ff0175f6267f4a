using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Issue 3's benchmark: KNN (k = 50) of 10,000 queries against a 50,000 x 512 bank from make_synth.py, through
/// an ML.NET pipeline (MlOod's batched head) and through a raw ONNX Runtime session running the same graph in
/// blocks of 256 (docs/ARCHITECTURE.md section 4's reference: the pipeline should stay within 1.2x of it). faiss is timed
/// by peer/peer.py in the same script run (knn-vs-faiss.sh).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class KnnHeadBenchmarks
{
    private const int BlockSize = 256;
    private SynthData _data = null!;
    private IDataView _test = null!;
    private OodHeadTransformer _head = null!;
    private InferenceSession _session = null!;

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(seed: 1);
        _data = SynthData.Load(SynthData.Folder);
        _test = _data.TestView(ml);
        _head = ml.Ood().Knn("KnnScore", "Embedding", k: 50, execution: new() { BlockSize = BlockSize }).Fit(_data.TrainView(ml));
        using var graph = new MemoryStream();
        _head.ExportOnnx(graph);
        _session = new InferenceSession(graph.ToArray());
    }

    [Benchmark(Baseline = true, Description = "raw ONNX Runtime session, blocks of 256")]
    public double RawSession()
    {
        double sum = 0;
        int dims = _data.Dimensions, rows = _data.TestRows;
        var output = new float[BlockSize];
        for (int start = 0; start < rows; start += BlockSize)
        {
            int n = Math.Min(BlockSize, rows - start);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _data.Test.AsMemory(start * dims, n * dims), [n, dims]);
            using var result = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.AsMemory(0, n), [n]);
            _session.Run(new RunOptions(), ["Embedding"], [input], ["mlood_score"], [result]);
            for (int i = 0; i < n; i++)
            {
                sum += output[i];
            }
        }
        return sum;
    }

    [Benchmark(Description = "MlOod head in an ML.NET pipeline (Transform)")]
    public double Pipeline()
    {
        double sum = 0;
        foreach (float score in _head.Transform(_test).GetColumn<float>("KnnScore"))
        {
            sum += score;
        }

        return sum;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _head.Dispose();
    }
}
