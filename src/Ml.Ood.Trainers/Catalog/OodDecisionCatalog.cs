namespace Ml.Ood;

/// <summary>The decision that turns a score into "unknown", on <c>ml.Ood()</c>.</summary>
/// <remarks>
/// Device, CPU fallback and rows per ONNX Runtime call come from each head's <c>execution</c> options, then from the
/// catalog's (<c>ml.Ood(options)</c>), then from the MLContext (see <see cref="OodExecutionOptions"/>).
/// </remarks>
public static class OodDecisionCatalog
{
    /// <summary>The "unknown" decision: true when the score is NaN, infinite or above the threshold that keeps
    /// <paramref name="idTruePositiveRate"/> of the in-distribution rows it is fitted on.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The Boolean column to write (true = out-of-distribution).</param>
    /// <param name="inputColumnName">The OOD score column (Single, higher = more likely OOD).</param>
    /// <param name="idTruePositiveRate">The fraction of ID rows kept as in-distribution; 0.95 in the literature.</param>
    /// <param name="isOodColumnName">A Boolean ground-truth column (true = OOD) whose true rows are skipped when
    /// calibrating, so a mixed validation view can be used; null when every row is in-distribution. MlOod's own
    /// decision columns are refused.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <remarks>Read the fitted threshold with <c>transformer.ThresholdSettings.Threshold</c>.</remarks>
    public static ThresholdEstimator Threshold(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        double idTruePositiveRate = 0.95, string? isOodColumnName = null, OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, idTruePositiveRate, isOodColumnName, execution);
}
