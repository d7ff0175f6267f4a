using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Issue 14's encoder stage: the sample LeNet encoder (samples/encoder/mnist_lenet.onnx, embedding and logits) over
/// 10,000 MNIST-size rows, through ML.NET's ApplyOnnxModel (one row per ONNX Runtime call) and through
/// ml.Ood().ApplyOnnxEncoder (a block of rows per call, on every core; and one call at a time). Every output value is
/// read. Smoke: dotnet run -c Release --project tests/Ml.Ood.Benchmarks -- --filter '*EncoderBenchmarks*'
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class EncoderBenchmarks
{
    private static readonly string[] Outputs = ["embedding", "logits"];

    private IDataView _data = null!;
    private ITransformer _perRow = null!;
    private OodOnnxEncoderTransformer _batched = null!;
    private OodOnnxEncoderTransformer _oneCallAtATime = null!;

    [Params(10_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(seed: 1);
        string encoder = Path.Combine(Repository(), "samples", "encoder", "mnist_lenet.onnx");
        var random = new Random(1);
        var images = Enumerable.Range(0, Rows).Select(_ => new ImageRow
        {
            Input = [.. Enumerable.Range(0, 28 * 28).Select(_ => random.NextDouble() < 0.75 ? 0f : random.Next(1, 256))],
        }).ToList();
        var definition = SchemaDefinition.Create(typeof(ImageRow));
        definition["input"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 28 * 28);
        _data = ml.Data.Cache(ml.Data.LoadFromEnumerable(images, definition));
        _perRow = ml.Transforms.ApplyOnnxModel(Outputs, ["input"], encoder).Fit(_data);
        _batched = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], encoder).Fit(_data);
        _oneCallAtATime = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], encoder, new OodExecutionOptions { Parallelism = 1 }).Fit(_data);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batched.Dispose();
        _oneCallAtATime.Dispose();
        (_perRow as IDisposable)?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ML.NET ApplyOnnxModel, one row per call")]
    public double PerRowApplyOnnxModel() => Sum(_perRow);

    [Benchmark(Description = "ml.Ood().ApplyOnnxEncoder, 256 rows per call, one call per core at once")]
    public double BatchedEncoder() => Sum(_batched);

    [Benchmark(Description = "ml.Ood().ApplyOnnxEncoder, 256 rows per call, one call at a time (Parallelism = 1)")]
    public double BatchedEncoderOneCallAtATime() => Sum(_oneCallAtATime);

    private double Sum(ITransformer encoder)
    {
        var encoded = encoder.Transform(_data);
        using var cursor = encoded.GetRowCursor(Outputs.Select(o => encoded.Schema[o]));
        var embedding = cursor.GetGetter<VBuffer<float>>(encoded.Schema["embedding"]);
        var logits = cursor.GetGetter<VBuffer<float>>(encoded.Schema["logits"]);
        VBuffer<float> e = default, l = default;
        double sum = 0;
        while (cursor.MoveNext())
        {
            embedding(ref e);
            logits(ref l);
            sum += e.GetValues()[0] + l.GetValues()[0];
        }
        return sum;
    }

    private static string Repository()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MlOod.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("MlOod.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A row of pixels, named as LeNet's input.</summary>
    public sealed class ImageRow
    {
        [ColumnName("input")]
        public float[] Input { get; set; } = [];
    }
}
