using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Issue 3's benchmark: KNN (k = 50) of 10,000 queries against a 50,000 x 512 bank from make_synth.py, through
/// an ML.NET pipeline (MlOod's batched head) and through a raw ONNX Runtime session running the same graph in
/// blocks of 256 (docs/ARCHITECTURE.md section 4's reference: the pipeline should stay within 1.1x of it, issue 12), with
/// one thread per core as the pipeline, without prepacking as the pipeline's large heads, and with ONNX Runtime's default
/// thread count. faiss is timed
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
    private InferenceSession _defaultThreadsSession = null!;
    private InferenceSession _noPrepackSession = null!;

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(seed: 1);
        _data = SynthData.Load(SynthData.Folder);
        _test = _data.TestView(ml);
        _head = ml.Ood().Knn("KnnScore", "Embedding", k: 50, execution: new() { BlockSize = BlockSize }).Fit(_data.TrainView(ml));
        using var graph = new MemoryStream();
        _head.ExportOnnx(graph);
        // The pipeline's head runs on one thread per core (OodExecutionOptions.Parallelism); the baseline gets as many.
        // ONNX Runtime's own default (one per physical core as it detects them) was 1 thread on the 2-core test machine.
        using var options = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount };
        _session = new InferenceSession(graph.ToArray(), options);
        _defaultThreadsSession = new InferenceSession(graph.ToArray());
        using var noPrepack = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount };
        noPrepack.AddSessionConfigEntry("session.disable_prepacking", "1");
        _noPrepackSession = new InferenceSession(graph.ToArray(), noPrepack);
    }

    /// <summary>
    /// The same session without prepacked weights, as MlOod runs a large head: a prepacked copy of the bank would sit
    /// beside the bank (about 1x the bank's memory more).
    /// </summary>
    [Benchmark(Description = "raw ONNX Runtime session, blocks of 256, one thread per core, no prepacking")]
    public double RawNoPrepack() => Raw(_noPrepackSession);

    [Benchmark(Baseline = true, Description = "raw ONNX Runtime session, blocks of 256, one thread per core")]
    public double RawSession() => Raw(_session);

    [Benchmark(Description = "raw ONNX Runtime session, blocks of 256, ONNX Runtime's default threads")]
    public double RawSessionDefaultThreads() => Raw(_defaultThreadsSession);

    private double Raw(InferenceSession session)
    {
        double sum = 0;
        int dims = _data.Dimensions, rows = _data.TestRows;
        var output = new float[BlockSize];
        for (int start = 0; start < rows; start += BlockSize)
        {
            int n = Math.Min(BlockSize, rows - start);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _data.Test.AsMemory(start * dims, n * dims), [n, dims]);
            using var result = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output.AsMemory(0, n), [n]);
            session.Run(new RunOptions(), ["Embedding"], [input], ["mlood_score"], [result]);
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
        _defaultThreadsSession.Dispose();
        _noPrepackSession.Dispose();
        _head.Dispose();
    }
}
