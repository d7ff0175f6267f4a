using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>The NNGuide head's settings.</summary>
/// <param name="K">How many of the most similar guide rows are averaged.</param>
/// <param name="BankRows">How many training rows the guide bank keeps.</param>
[OodHeadKind("nnguide")]
public sealed record NearestNeighborGuidanceSettings(int K, int BankRows) : OodHeadSettings;

/// <summary>
/// NNGuide, nearest-neighbour guidance (Park et al., "Nearest Neighbor Guidance for Out-of-Distribution Detection", ICCV
/// 2023; OpenOOD <c>nnguide_postprocessor</c>): score = -mean(top-K of &lt;unit(h), g_i&gt;) * log sum_c exp(W h + b)_c,
/// over a bank of guides g_i = unit(h_i) * log sum_c exp(W h_i + b)_c of training rows. Higher means more likely
/// out-of-distribution (OpenOOD returns the negation).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: it reads the feature column once to build the guide bank |
/// | Input column data type | Known-sized vector of <xref:System.Single> (penultimate features, D = the layer's) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// The energy-weighted similarity to the nearest guides scales the row's own energy, so that a confident row far from the
/// training data is no longer confident. The bank is sampled as the KNN head's (<see cref="KnnEstimator"/>): each row kept
/// with probability <c>bankFraction</c> (0.01 by default, OpenOOD's), seeded, and/or at most <c>maxBankRows</c> rows by
/// reservoir sampling; OpenOOD instead keeps whole batches until it holds more than that fraction. Zero rows have no
/// direction and stay out of the bank (as KNN's); guides are computed in double, and the search is exact (one product
/// with the bank and a top-k per block of rows). OpenOOD's normaliser adds 1e-10 after dividing by the norm; that is left
/// out (under 1e-8 relative). k larger than the bank is refused. A row with a NaN or infinite value scores NaN. Create it
/// with <c>ml.Ood().NnGuide(...)</c>.
/// </remarks>
public sealed class NearestNeighborGuidanceEstimator : FeatureHeadEstimator<NearestNeighborGuidanceSettings>
{
    private readonly double? _bankFraction;
    private readonly int? _maxBankRows;
    private readonly int? _seed;

    internal NearestNeighborGuidanceEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, OodClassifierLayer layer,
        int k, double? bankFraction, int? maxBankRows, int? seed, OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, layer, execution)
    {
        KnnOptions.ValidateBank(k, bankFraction, maxBankRows, nameof(k), nameof(bankFraction), nameof(maxBankRows));
        K = k;
        _bankFraction = bankFraction;
        _maxBankRows = maxBankRows;
        _seed = seed;
    }

    /// <summary>How many of the most similar guide rows are averaged (100 by default, OpenOOD's).</summary>
    public int K { get; }

    private protected override FittedHead<NearestNeighborGuidanceSettings> FitHead(IDataView trainingData, int inputSize)
    {
        var host = Catalog.Environment.Register(nameof(NearestNeighborGuidanceEstimator));
        if (_bankFraction is null && _maxBankRows is null && trainingData.GetRowCount() is long known)
        {
            KnnBank.CheckRows(known);
        }

        var random = _seed is int seed ? new Random(seed) : host.Rand;
        var logits = new double[Layer.Classes];
        var bank = KnnBank.Read(host, trainingData, InputColumnName, inputSize, _bankFraction, _maxBankRows, random, (h, scale) => Guide(h, scale, logits));
        using (var channel = host.Start("NNGuide bank"))
        {
            channel.Info(MessageSensitivity.None,
                $"NNGuide bank: {bank.Rows.Length:N0} of {bank.RowsRead:N0} rows of '{InputColumnName}' ({bank.ZeroRowsSkipped:N0} zero rows left out).");
        }
        if (bank.Rows.Length == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.NnGuideBankEmpty, InputColumnName, bank.RowsRead));
        }

        if (K > bank.Rows.Length)
        {
            throw new ArgumentOutOfRangeException("k", K, OodErrors.Format(OodErrors.NnGuideKLargerThanBank, K, bank.Rows.Length));
        }

        int rows = bank.Rows.Length;
        return new(new NearestNeighborGuidanceSettings(K, rows), g =>
        {
            string similarities = g.Node("MatMul", g.UnitRows(g.Input), g.TransposedRows("guides_t", bank.Rows, inputSize));
            string meanOfNearest = g.Node("Div", g.RowSum(g.TopK(similarities, K).Values, K), g.Constant((float)K));
            string guidance = g.Node("Squeeze", meanOfNearest, g.Axis(1));
            return g.Node("Neg", g.Node("Mul", guidance, g.LogSumExp(Logits(g, g.Input))));
        })
        {
            MaxRowsPerRun = KnnEstimator.MaxRowsPerRun(rows, inputSize, K),
        };
    }

    /// <summary>g = unit(h) * log sum_c exp(W h + b)_c, in double; <paramref name="scale"/> is h's largest magnitude (> 0).</summary>
    private float[] Guide(ReadOnlySpan<float> h, float scale, double[] logits)
    {
        LayerAlgebra.Logits(Layer, h, logits);
        double largest = logits.Max(), sum = 0;
        foreach (double logit in logits)
        {
            sum += Math.Exp(logit - largest);
        }

        double energy = largest + Math.Log(sum);
        double squared = 0;
        foreach (float value in h)
        {
            squared += (double)(value / scale) * (value / scale);
        }

        double factor = energy / (scale * Math.Sqrt(squared));
        var guide = new float[h.Length];
        for (int d = 0; d < h.Length; d++)
        {
            guide[d] = (float)(h[d] * factor);
        }
        return guide;
    }
}
