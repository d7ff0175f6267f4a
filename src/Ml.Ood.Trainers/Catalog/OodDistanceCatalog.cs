namespace Ml.Ood;

/// <summary>The distance heads on <c>ml.Ood()</c>, fitted on in-distribution embeddings: KNN and Mahalanobis.</summary>
/// <remarks>
/// Device, CPU fallback and rows per ONNX Runtime call come from each head's <c>execution</c> options, then from the
/// catalog's (<c>ml.Ood(options)</c>), then from the MLContext (see <see cref="OodExecutionOptions"/>).
/// </remarks>
public static class OodDistanceCatalog
{
    /// <summary>KNN distance to a bank of in-distribution embeddings (Sun et al., ICML 2022).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The embedding column (known-size vector of Single); required, and not null or blank.</param>
    /// <param name="k">The neighbour rank whose distance is the score (1 = nearest); 50 in the paper.</param>
    /// <param name="bankFraction">Keep each training row with this probability; null keeps all.</param>
    /// <param name="maxBankRows">Keep at most this many training rows (uniform sample); null for no limit.</param>
    /// <param name="seed">Sampling seed; null uses the MLContext's.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    public static KnnEstimator Knn(this OodCatalog catalog, string outputColumnName, string inputColumnName, int k = 50,
        double? bankFraction = null, int? maxBankRows = null, int? seed = null, OodExecutionOptions? execution = null)
    {
        // Checked here so that the error names this method's parameter, not the options property.
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        return catalog.Knn(new KnnOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            K = k,
            BankFraction = bankFraction,
            MaxBankRows = maxBankRows,
            Seed = seed,
            Execution = execution,
        });
    }

    /// <summary>KNN distance to a bank of in-distribution embeddings, with all settings in one object.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="options">The settings.</param>
    public static KnnEstimator Knn(this OodCatalog catalog, KnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new KnnEstimator(catalog, options);
    }

    /// <summary>Smallest Mahalanobis distance to the class means under a shared covariance (Lee et al., NeurIPS 2018).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The embedding column (known-size vector of Single); required, and not null or blank.</param>
    /// <param name="labelColumnName">The class label column: a key, or whole numbers of any ML.NET number type.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    public static MahalanobisEstimator Mahalanobis(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        string labelColumnName = "Label", OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, labelColumnName, execution);
}
