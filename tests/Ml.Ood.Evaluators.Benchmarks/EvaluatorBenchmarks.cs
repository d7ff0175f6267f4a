using BenchmarkDotNet.Attributes;
using Microsoft.ML;

namespace Ml.Ood.Evaluators.Benchmarks;

/// <summary>Each metric over 1,000,000 rows (multi-label: 100,000 rows x 100 labels); target under 1 s each.</summary>
[MemoryDiagnoser]
public class EvaluatorBenchmarks
{
    private bool[] _isOod = [];
    private float[] _scores = [];
    private double[] _doubleScores = [];
    private int[] _knownLabels = [], _knownPredicted = [];
    private float[] _knownScores = [], _unknownScores = [];
    private bool[] _baseCorrect = [], _newCorrect = [];
    private float[] _classScores = [];
    private int[] _classLabels = [];
    private float[] _labelScores = [];
    private bool[] _labelPositive = [];
    private MLContext _ml = null!;
    private IDataView _view = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_isOod, _scores) = BenchmarkData.Detection();
        _doubleScores = Array.ConvertAll(_scores, s => (double)s);
        var rng = new Random(7);
        int known = BenchmarkData.Rows / 2;
        _knownScores = _scores[..known];
        _unknownScores = _scores[known..];
        _knownLabels = Enumerable.Range(0, known).Select(_ => rng.Next(10)).ToArray();
        _knownPredicted = _knownLabels.Select(y => rng.NextDouble() < 0.8 ? y : rng.Next(10)).ToArray();
        _baseCorrect = _knownLabels.Select((y, i) => y == _knownPredicted[i]).ToArray();
        _newCorrect = _unknownScores.Select(_ => rng.NextDouble() < 0.6).ToArray();
        (_classScores, _classLabels) = BenchmarkData.MultiClass();
        (_labelScores, _labelPositive) = BenchmarkData.MultiLabel();
        _ml = new MLContext(seed: 1);
        _view = _ml.Data.LoadFromEnumerable(_isOod.Select((o, i) => new Row { IsOod = o, Score = _scores[i] }));
    }

    [Benchmark(Description = "AUROC, 1M rows")]
    public double Auroc() => OodMetrics.AreaUnderRocCurve(_isOod, _scores);

    [Benchmark(Description = "AUROC, 1M Double rows")]
    public double AurocDouble() => OodMetrics.AreaUnderRocCurve(_isOod, _doubleScores);

    [Benchmark(Description = "AUPR-Out, 1M rows")]
    public double AuprOut() => OodMetrics.AreaUnderPrecisionRecallCurveOut(_isOod, _scores);

    [Benchmark(Description = "All detection metrics, 1M rows")]
    public OodDetectionMetrics Detection() => OodMetrics.EvaluateDetection(_isOod, _scores);

    [Benchmark(Description = "ml.Ood().Evaluate(IDataView), 1M rows")]
    public OodDetectionMetrics DetectionFromDataView() => _ml.Ood().Evaluate(_view, isOodColumnName: "IsOod", scoreColumnName: "Score");

    [Benchmark(Description = "OpenAUC + accuracy + AUROC, 500k+500k rows")]
    public OpenSetMetrics OpenSet() => OodMetrics.EvaluateOpenSet(_knownScores, _baseCorrect, _unknownScores);

    [Benchmark(Description = "OpenworldAUC, 500k+500k rows")]
    public OpenWorldMetrics OpenWorld() => OodMetrics.EvaluateOpenWorld(_knownScores, _baseCorrect, _unknownScores, _newCorrect);

    [Benchmark(Description = "AUTKC@5 + top-k, 1M x 10 classes")]
    public TopKMetrics TopK() => OodMetrics.EvaluateTopK(_classScores, _classLabels, BenchmarkData.Classes, 5);

    [Benchmark(Description = "Multi-label (TKPR, P, R, mAP, NDCG, RL)@5, 100k x 100")]
    public MultiLabelRankingMetrics MultiLabel() => OodMetrics.EvaluateMultiLabelRanking(_labelScores, _labelPositive, BenchmarkData.Labels, 5);

    [Benchmark(Description = "TKPR@5 by quickselect, 100k x 100")]
    public double Tkpr() => OodMetrics.TopKPairwiseRanking(_labelScores, _labelPositive, BenchmarkData.Labels, 5);

    private sealed class Row
    {
        public bool IsOod { get; set; }

        public float Score { get; set; }
    }
}
