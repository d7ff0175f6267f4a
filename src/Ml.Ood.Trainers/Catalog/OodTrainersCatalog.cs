using Ml.Ood.Trainers;

namespace Ml.Ood;

/// <summary>The MlOod heads that learn from in-distribution data, on <c>ml.Ood()</c>.</summary>
/// <remarks>
/// <c>gpuDeviceId</c> and <c>fallbackToCpu</c> default to the MLContext's, as in ML.NET's <c>ApplyOnnxModel</c>;
/// <c>blockSize</c> is the number of rows scored per ONNX Runtime call (default 256).
/// </remarks>
public static class OodTrainersCatalog
{
    /// <summary>KNN distance to a bank of in-distribution embeddings (Sun et al., ICML 2022).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The embedding column (known-size vector of Single); null means <paramref name="outputColumnName"/>.</param>
    /// <param name="k">The neighbour rank whose distance is the score (1 = nearest); 50 in the paper.</param>
    /// <param name="bankFraction">Keep each training row with this probability; null keeps all.</param>
    /// <param name="maxBankRows">Keep at most this many training rows (uniform sample); null for no limit.</param>
    /// <param name="seed">Sampling seed; null uses the MLContext's.</param>
    /// <param name="gpuDeviceId">CUDA device, or null for the context's default.</param>
    /// <param name="fallbackToCpu">Run on the CPU if the GPU fails; null for the context's default.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    public static KnnEstimator Knn(this OodCatalog catalog, string outputColumnName, string? inputColumnName = null, int k = 50,
        double? bankFraction = null, int? maxBankRows = null, int? seed = null,
        int? gpuDeviceId = null, bool? fallbackToCpu = null, int? blockSize = null)
        => catalog.Knn(new KnnOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            K = k,
            BankFraction = bankFraction,
            MaxBankRows = maxBankRows,
            Seed = seed,
            GpuDeviceId = gpuDeviceId,
            FallbackToCpu = fallbackToCpu,
            BlockSize = blockSize,
        });

    /// <summary>KNN distance to a bank of in-distribution embeddings, with all settings in one object.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="options">The settings.</param>
    public static KnnEstimator Knn(this OodCatalog catalog, KnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new KnnEstimator(catalog, options);
    }

    /// <summary>Smallest Mahalanobis distance to the class means under a shared covariance (Lee et al., NeurIPS 2018).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The embedding column (known-size vector of Single); null means <paramref name="outputColumnName"/>.</param>
    /// <param name="labelColumnName">The class label column: key, or whole numbers as Single, Double or Int32.</param>
    /// <param name="gpuDeviceId">CUDA device, or null for the context's default.</param>
    /// <param name="fallbackToCpu">Run on the CPU if the GPU fails; null for the context's default.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    public static MahalanobisEstimator Mahalanobis(this OodCatalog catalog, string outputColumnName, string? inputColumnName = null,
        string labelColumnName = "Label", int? gpuDeviceId = null, bool? fallbackToCpu = null, int? blockSize = null)
        => new(catalog, outputColumnName, inputColumnName, labelColumnName, gpuDeviceId, fallbackToCpu, blockSize);

    /// <summary>The "unknown" decision: true when the score is above the threshold that keeps
    /// <paramref name="idTruePositiveRate"/> of the in-distribution rows it is fitted on.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The Boolean column to write (true = out-of-distribution).</param>
    /// <param name="inputColumnName">The OOD score column (Single, higher = more likely OOD).</param>
    /// <param name="idTruePositiveRate">The fraction of ID rows kept as in-distribution; 0.95 in the literature.</param>
    /// <param name="gpuDeviceId">CUDA device, or null for the context's default.</param>
    /// <param name="fallbackToCpu">Run on the CPU if the GPU fails; null for the context's default.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    public static ThresholdEstimator Threshold(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        double idTruePositiveRate = 0.95, int? gpuDeviceId = null, bool? fallbackToCpu = null, int? blockSize = null)
        => new(catalog, outputColumnName, inputColumnName, idTruePositiveRate, gpuDeviceId, fallbackToCpu, blockSize);
}
