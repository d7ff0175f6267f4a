namespace Ml.Ood;

/// <summary>The fitted heads on penultimate features and the classifier's last layer, on <c>ml.Ood()</c>: ReAct.</summary>
/// <remarks>
/// Every head writes a <see cref="float"/> column where higher means more likely out-of-distribution. The input column is
/// the feature h the classifier reads (the encoder's embedding after its ReLU); <c>layer</c> is that classifier's last
/// layer (<see cref="OodClassifierLayer"/>). The stateless heads of this family (ASH, SCALE) are in Ml.Ood.Transforms.
/// </remarks>
public static class OodActivationCatalog
{
    /// <summary>ReAct: features clipped at a percentile of in-distribution activations, then the energy of the logits (Sun et al., NeurIPS 2021).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The penultimate-feature column (known-size vector of Single, <c>layer.Features</c> wide); required.</param>
    /// <param name="layer">The classifier's last layer.</param>
    /// <param name="percentile">p in (0, 100): the clip value is the p-th percentile of the activations Fit reads; 90 in OpenOOD.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not in (0, 100).</exception>
    public static ReActEstimator ReAct(this OodCatalog catalog, string outputColumnName, string inputColumnName, OodClassifierLayer layer,
        double percentile = 90, OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, layer, percentile, execution);
}
