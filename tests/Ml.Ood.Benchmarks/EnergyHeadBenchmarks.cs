using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Issue 2's benchmark: the energy head over 100,000 rows x 1,000 logits, through MlOod's batched head and
/// through ML.NET's own per-row OnnxTransformer running the very same ONNX graph. Both read the same
/// in-memory view and consume every score; the ratio of the two means is the figure to report.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class EnergyHeadBenchmarks
{
    private MLContext _ml = null!;
    private IDataView _data = null!;
    private OodHeadTransformer _batched = null!;
    private OodHeadTransformer _oneCallAtATime = null!;
    private ITransformer _perRow = null!;

    [Params(100_000)]
    public int Rows { get; set; }

    [Params(1_000)]
    public int Classes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ml = new MLContext(seed: 1);
        _data = InMemoryLogits.Create(_ml, Rows, Classes, seed: 1);
        _batched = _ml.Ood().Energy("Energy", "Logits").Fit(_data);
        _oneCallAtATime = _ml.Ood().Energy("Energy", "Logits", execution: new() { Parallelism = 1 }).Fit(_data);

        using var graph = new MemoryStream();
        _batched.ExportOnnx(graph);
        graph.Position = 0;
        _perRow = _ml.Transforms.ApplyOnnxModel("mlood_score", "Logits", graph).Fit(_data);
    }

    [Benchmark(Baseline = true, Description = "ML.NET OnnxTransformer, one row per call")]
    public double PerRowOnnxTransformer()
    {
        double sum = 0;
        foreach (var score in _perRow.Transform(_data).GetColumn<float[]>("mlood_score"))
        {
            sum += score[0];
        }

        return sum;
    }

    [Benchmark(Description = "MlOod batched head, 256 rows per call, one call per core at once")]
    public double BatchedHead() => Sum(_batched);

    [Benchmark(Description = "MlOod batched head, 256 rows per call, one call at a time (Parallelism = 1)")]
    public double BatchedHeadOneCallAtATime() => Sum(_oneCallAtATime);

    private double Sum(OodHeadTransformer head)
    {
        double sum = 0;
        foreach (float score in head.Transform(_data).GetColumn<float>("Energy"))
        {
            sum += score;
        }

        return sum;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batched.Dispose();
        _oneCallAtATime.Dispose();
    }
}
