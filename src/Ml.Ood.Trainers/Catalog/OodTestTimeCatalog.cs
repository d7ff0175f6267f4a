namespace Ml.Ood;

/// <summary>
/// The test-time heads on <c>ml.Ood()</c>, whose score depends on the rows scored before (docs/TEST-TIME-HEADS.md):
/// OODD. Serve them with <c>ml.Ood().CreateStreamingScorer(model)</c>.
/// </summary>
public static class OodTestTimeCatalog
{
    /// <summary>OODD's test-time dictionary over a KNN bank (Yang et al., CVPR 2025); higher = OOD.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="options">The settings (defaults: the paper's ImageNet settings).</param>
    public static OoddEstimator Oodd(this OodCatalog catalog, OoddOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new OoddEstimator(catalog, options);
    }
}
