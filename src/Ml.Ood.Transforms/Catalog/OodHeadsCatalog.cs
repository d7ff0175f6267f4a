using Ml.Ood.Transforms;

namespace Ml.Ood;

/// <summary>The OOD heads of Ml.Ood.Transforms on <c>ml.Ood()</c>.</summary>
/// <remarks>
/// Every head writes a <see cref="float"/> column where higher means more likely out-of-distribution.
/// <c>gpuDeviceId</c> and <c>fallbackToCpu</c> default to the MLContext's <c>GpuDeviceId</c> and
/// <c>FallbackToCpu</c>, as in ML.NET's <c>ApplyOnnxModel</c>; running on a GPU needs the
/// Microsoft.ML.OnnxRuntime.Gpu package in place of Microsoft.ML.OnnxRuntime. <c>blockSize</c> is the number
/// of rows scored per ONNX Runtime call (default 256). These heads read logits: fitted on probabilities (the Score of
/// LbfgsMaximumEntropy and ML.NET's other calibrated multiclass trainers) they throw, unless <c>allowProbabilities: true</c>.
/// </remarks>
public static class OodHeadsCatalog
{
    /// <summary>Energy score E(x) = -T * logsumexp(z / T) of a logits column (Liu et al., NeurIPS 2020).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The logits column (known-size vector of Single), e.g. a non-calibrated trainer's Score; required, and not null or blank.</param>
    /// <param name="temperature">T &gt; 0; 1 in the paper's main results.</param>
    /// <param name="gpuDeviceId">CUDA device, or null for the context's default.</param>
    /// <param name="fallbackToCpu">Run on the CPU if the GPU fails; null for the context's default.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    /// <param name="allowProbabilities">Fit throws when the input's first rows all look like probabilities (a calibrated
    /// trainer's Score); pass <see langword="true"/> only if the column does hold logits.</param>
    /// <exception cref="ArgumentException"><paramref name="inputColumnName"/> is null or blank.</exception>
    public static EnergyEstimator Energy(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        float temperature = 1f, int? gpuDeviceId = null, bool? fallbackToCpu = null, int? blockSize = null, bool allowProbabilities = false)
        => new(catalog, outputColumnName, inputColumnName, temperature, gpuDeviceId, fallbackToCpu, blockSize, allowProbabilities);

    /// <summary>Negated maximum softmax probability, -max softmax(z), of a logits column (Hendrycks and Gimpel, ICLR 2017).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The logits column (known-size vector of Single), e.g. a non-calibrated trainer's Score; required, and not null or blank.</param>
    /// <param name="gpuDeviceId">CUDA device, or null for the context's default.</param>
    /// <param name="fallbackToCpu">Run on the CPU if the GPU fails; null for the context's default.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    /// <param name="allowProbabilities">Fit throws when the input's first rows all look like probabilities (a calibrated
    /// trainer's Score); pass <see langword="true"/> only if the column does hold logits.</param>
    /// <exception cref="ArgumentException"><paramref name="inputColumnName"/> is null or blank.</exception>
    public static MaxSoftmaxProbabilityEstimator MaxSoftmaxProbability(this OodCatalog catalog, string outputColumnName,
        string inputColumnName, int? gpuDeviceId = null, bool? fallbackToCpu = null, int? blockSize = null, bool allowProbabilities = false)
        => new(catalog, outputColumnName, inputColumnName, gpuDeviceId, fallbackToCpu, blockSize, allowProbabilities);

    /// <summary>Negated maximum logit, -max z, of a logits column (Hendrycks et al., ICML 2022).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The logits column (known-size vector of Single), e.g. a non-calibrated trainer's Score; required, and not null or blank.</param>
    /// <param name="gpuDeviceId">CUDA device, or null for the context's default.</param>
    /// <param name="fallbackToCpu">Run on the CPU if the GPU fails; null for the context's default.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    /// <param name="allowProbabilities">Fit throws when the input's first rows all look like probabilities (a calibrated
    /// trainer's Score); pass <see langword="true"/> only if the column does hold logits.</param>
    /// <exception cref="ArgumentException"><paramref name="inputColumnName"/> is null or blank.</exception>
    public static MaxLogitEstimator MaxLogit(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        int? gpuDeviceId = null, bool? fallbackToCpu = null, int? blockSize = null, bool allowProbabilities = false)
        => new(catalog, outputColumnName, inputColumnName, gpuDeviceId, fallbackToCpu, blockSize, allowProbabilities);
}
