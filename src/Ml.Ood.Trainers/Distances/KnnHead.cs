using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>The KNN head's settings.</summary>
/// <param name="K">The neighbour rank whose distance is the score (1 = nearest).</param>
/// <param name="BankRows">How many in-distribution rows the bank keeps.</param>
[OodHeadKind("knn")]
public sealed record KnnSettings(int K, int BankRows) : OodHeadSettings;

/// <summary>
/// KNN out-of-distribution score (Sun et al., ICML 2022): the Euclidean distance between a row's L2-normalised
/// embedding and its k-th nearest row in a bank of normalised in-distribution embeddings. Higher means more likely
/// out-of-distribution.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: it reads the embedding column once to build the bank |
/// | Input column data type | Known-sized vector of <xref:System.Single> |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// The search is exact: one matrix product against the bank and a top-k selection per block of rows, inside the head's
/// ONNX graph. Zero-norm rows have no direction: training rows of zero norm are left out of the bank (Fit logs how many),
/// and a zero-norm query is at distance 1 from every unit bank row. Rows are scaled by their largest magnitude before
/// their norm is taken, so tiny (1e-30) or huge (1e30) rows keep their direction. NaN or infinite training values are an
/// error; at scoring time a NaN or infinite value scores NaN (a Threshold decision flags it). The bank is stored in the
/// model; a bank over ONNX's 2 GB limit is kept as external data, memory-mapped, and such a model loads only with
/// <c>ml.Ood().Load</c> (a plain <c>ml.Model.Load</c> refuses it). Sample a bank with <see cref="KnnOptions.MaxBankRows"/>
/// or <see cref="KnnOptions.BankFraction"/> (the paper uses k = 10 with a 1% sample of ImageNet). Create it with
/// <c>ml.Ood().Knn(...)</c>.
/// </remarks>
public sealed class KnnEstimator : OodHeadEstimator<KnnSettings>
{
    /// <summary>Rows per ONNX Runtime call never need a work space above this, however small the bank.</summary>
    private const long MinWorkSpaceBytes = 16L << 20;

    private readonly KnnOptions _options;

    internal KnnEstimator(OodCatalog catalog, KnnOptions options)
        : base(catalog, options.OutputColumnName, options.InputColumnName, options.Execution)
    {
        options.Validate();
        _options = options.Copy();
    }

    /// <summary>The neighbour rank whose distance is the score (1 = nearest).</summary>
    public int K => _options.K;

    private protected override FittedHead<KnnSettings> FitHead(IDataView trainingData, int inputSize)
    {
        var host = Catalog.Environment.Register(nameof(KnnEstimator));
        if (_options.BankFraction is null && _options.MaxBankRows is null && trainingData.GetRowCount() is long known)
        {
            KnnBank.CheckRows(known);
        }

        var random = _options.Seed is int seed ? new Random(seed) : host.Rand;
        var bank = KnnBank.Read(host, trainingData, InputColumnName, inputSize, _options.BankFraction, _options.MaxBankRows, random);
        using (var channel = host.Start("KNN bank"))
        {
            channel.Info(MessageSensitivity.None,
                $"KNN bank: {bank.Rows.Length:N0} of {bank.RowsRead:N0} rows of '{InputColumnName}' ({bank.ZeroRowsSkipped:N0} zero-norm rows left out).");
            if (bank.ZeroRowsSkipped > 0)
            {
                channel.Warning(MessageSensitivity.None, $"{bank.ZeroRowsSkipped:N0} rows of '{InputColumnName}' have zero norm and were left out of the KNN bank.");
            }
        }
        if (bank.Rows.Length == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.KnnBankEmpty, InputColumnName));
        }

        if (K > bank.Rows.Length)
        {
            throw new ArgumentOutOfRangeException("k", K, OodErrors.Format(OodErrors.KnnKLargerThanBank, K, bank.Rows.Length));
        }

        int rows = bank.Rows.Length;
        return new(new KnnSettings(K, rows), g => KthNearestDistance(g, g.UnitRows(g.Input), g.TransposedRows("bank_t", bank.Rows, g.InputSize)))
        {
            MaxRowsPerRun = MaxRowsPerRun(rows, inputSize, K),
        };
    }

    /// <summary>
    /// For unit vectors the nearest rows are the most similar: one GEMM against the bank and a TopK give the k-th
    /// neighbour, whose distance comes from its coordinates, not from sqrt(2 - 2 cos), which cancels catastrophically in
    /// float for near-duplicates (a true 1e-8 comes out near 3e-4).
    /// </summary>
    private string KthNearestDistance(HeadGraph g, string query, string bank)
    {
        string kth = g.Node("Squeeze", g.Column(g.TopK(g.Node("MatMul", query, bank), K).Indices, K - 1), g.Axis(1));
        string neighbour = g.Node("Transpose", [g.Node("Gather", [bank, kth], OnnxAttributes.Int("axis", 1))], OnnxAttributes.Ints("perm", 1, 0));
        string squared = g.Node("ReduceSumSquare", [g.Node("Sub", query, neighbour), g.Axis(1)], OnnxAttributes.Int("keepdims", 0));
        return g.Node("Sqrt", squared);
    }

    /// <summary>
    /// Each query row needs one similarity per bank row (and its top k values and indices). Neither the similarity block
    /// of one call nor its top-k buffers may exceed half the bank's size (16 MB at least): a scoring process then stays
    /// within about 1.5 banks above its baseline, and a 512-d bank scores the default block of 256 rows in one call. Every
    /// call reads the whole bank, so rows per call set the speed: a quarter of the bank (127 rows, three calls per block of
    /// 256 counting the 2-row remainder) made the pipeline 1.37-1.5x the raw session's time in blocks of 256.
    /// </summary>
    internal static int MaxRowsPerRun(int bankRows, int dims, int k)
    {
        long budget = Math.Max((long)bankRows * dims * sizeof(float) / 2, MinWorkSpaceBytes);
        long bySimilarities = budget / ((long)bankRows * sizeof(float));
        long byTopK = budget / ((long)k * (sizeof(float) + sizeof(long)));
        return (int)Math.Clamp(Math.Min(bySimilarities, byTopK), 1, int.MaxValue);
    }
}
