namespace Ml.Ood;

/// <summary>
/// The heads on <c>ml.Ood()</c> fitted on in-distribution penultimate features (and, for some, the classifier's last layer):
/// RMDS, fDBD, ViM and NNGuide, as OpenOOD v1.5 defines them. Every score is "higher = more likely out-of-distribution".
/// </summary>
/// <remarks>
/// Device, CPU fallback and rows per ONNX Runtime call come from each head's <c>execution</c> options, then from the
/// catalog's (<c>ml.Ood(options)</c>), then from the MLContext (see <see cref="OodExecutionOptions"/>).
/// </remarks>
public static class OodFeatureStatisticsCatalog
{
    /// <summary>
    /// Relative Mahalanobis distance, RMDS (Ren et al., 2021; OpenOOD <c>rmds_postprocessor</c>): the smallest class
    /// Mahalanobis distance minus the distance to the background Gaussian of all rows. Higher = more likely OOD.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The feature column (known-size vector of Single); required, and not null or blank.</param>
    /// <param name="labelColumnName">The class label column: a key, or whole numbers of any ML.NET number type.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    public static RelativeMahalanobisEstimator Rmds(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        string labelColumnName = "Label", OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, labelColumnName, execution);
}
