using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms;

namespace Ml.Ood.Trainers;

/// <summary>
/// KNN out-of-distribution score (Sun et al., ICML 2022): the Euclidean distance between a row's L2-normalised
/// embedding and its k-th nearest row in a bank of normalised in-distribution embeddings. Higher means more
/// likely out-of-distribution.
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
/// The search is exact: one matrix product against the bank and a top-k selection per block of rows, inside
/// the head's ONNX graph. Zero-norm rows have no direction: training rows of zero norm are left out of the bank
/// (Fit logs how many), and a zero-norm query is at distance 1 from every unit bank row, so its score is 1. Bank rows
/// are scaled by their largest magnitude before their norm is taken, so rows of tiny (1e-30) or huge (1e30) values
/// keep their direction instead of underflowing to "zero" or overflowing.
/// NaN or infinite training values are an error; at scoring time they give a NaN score. The bank is stored in the
/// model, so it must fit ONNX's 2 GB limit: sample it with <see cref="KnnOptions.MaxBankRows"/> or
/// <see cref="KnnOptions.BankFraction"/> (the paper uses k = 10 with a 1% sample of ImageNet).
/// Create it with <c>ml.Ood().Knn(...)</c>.
/// A row with a NaN or infinite input value scores NaN, and a Threshold decision flags it out-of-distribution (fail
/// closed); the head counts such rows (<see cref="OodHeadTransformer.NonFiniteRowCount"/>) and reports them on the
/// MLContext's log. A row whose vector is not of the column's declared size is an error naming the row.
/// </remarks>
public sealed class KnnEstimator : OodHeadEstimator
{
    private readonly KnnOptions _options;

    internal KnnEstimator(OodCatalog catalog, KnnOptions options)
        : base(catalog, options.OutputColumnName, options.InputColumnName, options.GpuDeviceId, options.FallbackToCpu, options.BlockSize)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>The neighbour rank whose distance is the score (1 = nearest).</summary>
    public int K => _options.K;

    private protected override OodHeadModel BuildModel(IDataView trainingData, int inputSize)
    {
        var host = Catalog.Environment.Register(nameof(KnnEstimator));
        if (_options.BankFraction is null && _options.MaxBankRows is null && trainingData.GetRowCount() is long known)
            KnnBank.CheckSize(known, inputSize);
        var random = _options.Seed is int seed ? new Random(seed) : host.Rand;
        var bank = KnnBank.Read(host, trainingData, InputColumnName, inputSize, _options.BankFraction, _options.MaxBankRows, random);

        using (var channel = host.Start("KNN bank"))
        {
            channel.Info(MessageSensitivity.None,
                $"KNN bank: {bank.Rows.Length:N0} of {bank.RowsRead:N0} rows of '{InputColumnName}' ({bank.ZeroRowsSkipped:N0} zero-norm rows left out).");
            if (bank.ZeroRowsSkipped > 0)
                channel.Warning(MessageSensitivity.None, $"{bank.ZeroRowsSkipped:N0} rows of '{InputColumnName}' have zero norm and were left out of the KNN bank.");
        }
        if (bank.Rows.Length == 0)
            throw new InvalidOperationException($"The KNN bank is empty: column '{InputColumnName}' gave no row of non-zero norm to keep.");
        if (K > bank.Rows.Length)
            throw new ArgumentOutOfRangeException("k", K, $"k = {K} is larger than the KNN bank ({bank.Rows.Length:N0} rows); pass a smaller k or keep more rows.");

        var parameters = new Dictionary<string, string>
        {
            ["k"] = K.ToString(CultureInfo.InvariantCulture),
            ["bank_rows"] = bank.Rows.Length.ToString(CultureInfo.InvariantCulture),
        };
        return KnnHeadGraph.Build(Describe(KnnHeadGraph.Kind, inputSize, parameters), bank.Transposed(), bank.Rows.Length, K);
    }
}
