using System.Globalization;
using Microsoft.ML;

namespace Ml.Ood.Transforms;

/// <summary>
/// Energy score (Liu et al., NeurIPS 2020): E(x) = -T * log sum_c exp(z_c / T) over a row of logits or class
/// scores. Higher means more likely out-of-distribution.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No (Fit reads the first 64 rows to refuse probabilities) |
/// | Input column data type | Known-sized vector of <xref:System.Single> (logits) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Transforms | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// Create it with <c>ml.Ood().Energy(...)</c>. The input must be logits: ML.NET's calibrated multiclass trainers
/// (LbfgsMaximumEntropy, SdcaMaximumEntropy, LightGbm) write probabilities to Score, on which the energy is a
/// constant; use SdcaNonCalibrated or an ONNX model's logits. Fit throws <see cref="InvalidOperationException"/>
/// when the first 64 rows all look like probabilities (non-negative, summing to 1), unless the estimator was
/// created with <c>allowProbabilities: true</c> (<see cref="AllowProbabilities"/>).
/// A row with a NaN or infinite input value scores NaN, and a Threshold decision flags it out-of-distribution (fail
/// closed); the head counts such rows (<see cref="OodHeadTransformer.NonFiniteRowCount"/>) and reports them on the
/// MLContext's log. A row whose vector is not of the column's declared size is an error naming the row.
/// </remarks>
public sealed class EnergyEstimator : OodHeadEstimator
{
    internal EnergyEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, float temperature,
        int? gpuDeviceId, bool? fallbackToCpu, int? blockSize, bool allowProbabilities)
        : base(catalog, outputColumnName, inputColumnName, gpuDeviceId, fallbackToCpu, blockSize)
    {
        if (!float.IsFinite(temperature) || temperature <= 0)
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, OodErrors.Format(OodErrors.TemperatureNotPositive, temperature));
        Temperature = temperature;
        AllowProbabilities = allowProbabilities;
    }

    /// <summary>The temperature T &gt; 0 that divides the logits.</summary>
    public float Temperature { get; }

    /// <summary>Whether Fit accepts an input column that looks like probabilities (default <see langword="false"/>: it throws).</summary>
    public bool AllowProbabilities { get; }

    private protected override OodHeadModel BuildModel(IDataView trainingData, int inputSize)
    {
        ProbabilityInputCheck.ThrowIfProbabilities(trainingData, InputColumnName, "energy", AllowProbabilities);
        var parameters = new Dictionary<string, string> { ["temperature"] = Temperature.ToString("R", CultureInfo.InvariantCulture) };
        return LogitHeadGraphs.Energy(Describe(LogitHeadGraphs.EnergyKind, inputSize, parameters), Temperature);
    }
}

/// <summary>
/// Maximum softmax probability (Hendrycks and Gimpel, ICLR 2017), negated so that higher means more likely
/// out-of-distribution: -max_c softmax(z)_c.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No (Fit reads the first 64 rows to refuse probabilities) |
/// | Input column data type | Known-sized vector of <xref:System.Single> (logits) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Transforms | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// Create it with <c>ml.Ood().MaxSoftmaxProbability(...)</c>. The head applies the softmax itself, so its input must
/// be logits, not a calibrated trainer's probabilities (softmax of probabilities squeezes every row towards uniform):
/// use SdcaNonCalibrated or an ONNX model's logits. Fit throws <see cref="InvalidOperationException"/> when the first
/// 64 rows all look like probabilities, unless created with <c>allowProbabilities: true</c> (<see cref="AllowProbabilities"/>).
/// A row with a NaN or infinite input value scores NaN, and a Threshold decision flags it out-of-distribution (fail
/// closed); the head counts such rows (<see cref="OodHeadTransformer.NonFiniteRowCount"/>) and reports them on the
/// MLContext's log. A row whose vector is not of the column's declared size is an error naming the row.
/// </remarks>
public sealed class MaxSoftmaxProbabilityEstimator : OodHeadEstimator
{
    internal MaxSoftmaxProbabilityEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName,
        int? gpuDeviceId, bool? fallbackToCpu, int? blockSize, bool allowProbabilities)
        : base(catalog, outputColumnName, inputColumnName, gpuDeviceId, fallbackToCpu, blockSize)
    {
        AllowProbabilities = allowProbabilities;
    }

    /// <summary>Whether Fit accepts an input column that looks like probabilities (default <see langword="false"/>: it throws).</summary>
    public bool AllowProbabilities { get; }

    private protected override OodHeadModel BuildModel(IDataView trainingData, int inputSize)
    {
        ProbabilityInputCheck.ThrowIfProbabilities(trainingData, InputColumnName, "MSP", AllowProbabilities);
        return LogitHeadGraphs.MaxSoftmaxProbability(Describe(LogitHeadGraphs.MspKind, inputSize));
    }
}

/// <summary>
/// Maximum logit (Hendrycks et al., ICML 2022), negated so that higher means more likely out-of-distribution:
/// -max_c z_c.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No (Fit reads the first 64 rows to refuse probabilities) |
/// | Input column data type | Known-sized vector of <xref:System.Single> (logits) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Transforms | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// Create it with <c>ml.Ood().MaxLogit(...)</c>. The input must be logits: on a calibrated trainer's probabilities
/// the maximum logit becomes the maximum probability, a different score. Use SdcaNonCalibrated or an ONNX model's
/// logits. Fit throws <see cref="InvalidOperationException"/> when the first 64 rows all look like probabilities,
/// unless created with <c>allowProbabilities: true</c> (<see cref="AllowProbabilities"/>).
/// A row with a NaN or infinite input value scores NaN, and a Threshold decision flags it out-of-distribution (fail
/// closed); the head counts such rows (<see cref="OodHeadTransformer.NonFiniteRowCount"/>) and reports them on the
/// MLContext's log. A row whose vector is not of the column's declared size is an error naming the row.
/// </remarks>
public sealed class MaxLogitEstimator : OodHeadEstimator
{
    internal MaxLogitEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName,
        int? gpuDeviceId, bool? fallbackToCpu, int? blockSize, bool allowProbabilities)
        : base(catalog, outputColumnName, inputColumnName, gpuDeviceId, fallbackToCpu, blockSize)
    {
        AllowProbabilities = allowProbabilities;
    }

    /// <summary>Whether Fit accepts an input column that looks like probabilities (default <see langword="false"/>: it throws).</summary>
    public bool AllowProbabilities { get; }

    private protected override OodHeadModel BuildModel(IDataView trainingData, int inputSize)
    {
        ProbabilityInputCheck.ThrowIfProbabilities(trainingData, InputColumnName, "MaxLogit", AllowProbabilities);
        return LogitHeadGraphs.MaxLogit(Describe(LogitHeadGraphs.MaxLogitKind, inputSize));
    }
}
