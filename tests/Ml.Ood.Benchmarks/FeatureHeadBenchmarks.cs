using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Samples;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Issue 12's speed check: each head on penultimate features and a classifier layer, through an ML.NET pipeline, over
/// 100,000 rows of 512-d features with C = 1,000 classes (posthoc.py make). posthoc-vs-numpy.sh times peer/posthoc.py's
/// numpy implementation of the same formula on the same arrays in the same run; the ratio is the figure to report.
/// Fitting is excluded on both sides; defaults as posthoc.py's: ReAct p = 90, ASH p = 90, SCALE p = 85, ViM dim = D / 8,
/// NNGuide k = 100 over all training rows.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class FeatureHeadBenchmarks
{
    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public int Label { get; set; }
    }

    private IDataView _test = null!;
    private OodHeadTransformer _head = null!;

    /// <summary>Every feature head, or those MLOOD_POSTHOC_HEADS lists (comma-separated; posthoc-vs-numpy.sh's HEADS).</summary>
    public static IEnumerable<string> HeadNames
        => Environment.GetEnvironmentVariable("MLOOD_POSTHOC_HEADS") is { Length: > 0 } heads
            ? heads.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : ["react", "ash_p", "ash_b", "ash_s", "scale", "vim", "rmds", "fdbd", "nnguide"];

    [ParamsSource(nameof(HeadNames))]
    public string Head { get; set; } = "";

    public static string Folder => Environment.GetEnvironmentVariable("MLOOD_POSTHOC_DATA")
        ?? throw new InvalidOperationException("Set MLOOD_POSTHOC_DATA to a folder made by peer/posthoc.py make (posthoc-vs-numpy.sh does).");

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(seed: 1);
        var (features, shape) = Npy.ReadFloat32(Path.Combine(Folder, "features.npy"));
        var (weights, layerShape) = Npy.ReadFloat32(Path.Combine(Folder, "weight.npy"));
        var (bias, _) = Npy.ReadFloat32(Path.Combine(Folder, "bias.npy"));
        var (train, _) = Npy.ReadFloat32(Path.Combine(Folder, "train_features.npy"));
        long[] labels = Npy.ReadInt64(Path.Combine(Folder, "train_labels.npy")).Data;
        int dims = shape[1];
        var layer = OodClassifierLayer.FromArrays(weights, bias, layerShape[0], layerShape[1]);
        _test = View(ml, features, null, dims);
        var training = View(ml, train, labels, dims);
        // Rows per ONNX Runtime call: the default unless MLOOD_POSTHOC_BLOCK says (posthoc-vs-numpy.sh's BLOCK).
        var o = int.TryParse(Environment.GetEnvironmentVariable("MLOOD_POSTHOC_BLOCK"), out int block) ? new OodExecutionOptions { BlockSize = block } : null;
        IEstimator<OodHeadTransformer> estimator = Head switch
        {
            "react" => ml.Ood().ReAct("Score", "Features", layer, percentile: 90, execution: o),
            "ash_p" => ml.Ood().Ash("Score", "Features", layer, AshMode.P, percentile: 90, execution: o),
            "ash_b" => ml.Ood().Ash("Score", "Features", layer, AshMode.B, percentile: 90, execution: o),
            "ash_s" => ml.Ood().Ash("Score", "Features", layer, AshMode.S, percentile: 90, execution: o),
            "scale" => ml.Ood().Scale("Score", "Features", layer, percentile: 85, execution: o),
            "vim" => ml.Ood().Vim("Score", "Features", layer, dim: dims / 8, execution: o),
            "rmds" => ml.Ood().Rmds("Score", "Features", labelColumnName: "Label", execution: o),
            "fdbd" => ml.Ood().Fdbd("Score", "Features", layer, execution: o),
            "nnguide" => ml.Ood().NnGuide("Score", "Features", layer, k: 100, bankFraction: null, execution: o),
            _ => throw new ArgumentException(Head),
        };
        _head = estimator.Fit(training);
    }

    [Benchmark(Description = "MlOod head in an ML.NET pipeline (Transform)")]
    public double Pipeline()
    {
        double sum = 0;
        foreach (float score in _head.Transform(_test).GetColumn<float>("Score"))
        {
            sum += score;
        }

        return sum;
    }

    [GlobalCleanup]
    public void Cleanup() => _head.Dispose();

    private static IDataView View(MLContext ml, float[] data, long[]? labels, int dims)
    {
        var rows = new Row[data.Length / dims];
        for (int r = 0; r < rows.Length; r++)
        {
            rows[r] = new Row { Features = data.AsSpan(r * dims, dims).ToArray(), Label = (int)(labels?[r] ?? 0) };
        }

        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dims);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }
}
