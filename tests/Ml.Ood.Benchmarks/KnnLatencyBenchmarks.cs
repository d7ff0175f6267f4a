using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Issue 3: single-row latency of a KNN head (50,000 x 512 bank, k = 50) through ML.NET's PredictionEngine,
/// against the time to read the bank once from memory, the floor for any exact search of one row.
/// </summary>
[ShortRunJob]
public class KnnLatencyBenchmarks
{
    private float[] _bank = null!;
    private PredictionEngine<Query, Score> _engine = null!;
    private Query _query = null!;

    public sealed class Query
    {
        public float[] Embedding { get; set; } = [];
    }

    public sealed class Score
    {
        public float KnnScore { get; set; }
    }

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(seed: 1);
        var data = SynthData.Load(SynthData.Folder);
        _bank = data.Train;
        OodHeadTransformer head = ml.Ood().Knn("KnnScore", "Embedding", k: 50).Fit(data.TrainView(ml));
        var input = SchemaDefinition.Create(typeof(Query));
        input[nameof(Query.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.Dimensions);
        _engine = ml.Model.CreatePredictionEngine<Query, Score>(head, inputSchemaDefinition: input);
        _query = new Query { Embedding = data.Test.AsSpan(0, data.Dimensions).ToArray() };
    }

    [Benchmark(Baseline = true, Description = "read the 50,000 x 512 bank once (sum)")]
    public float ReadBankOnce() => TensorPrimitives.Sum<float>(_bank);

    [Benchmark(Description = "PredictionEngine, one row")]
    public float PredictOneRow() => _engine.Predict(_query).KnnScore;

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();
}
