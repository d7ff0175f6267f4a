namespace Ml.Ood;

/// <summary>
/// The stateless heads on penultimate features and the classifier's last layer, on <c>ml.Ood()</c>: ASH and SCALE
/// (ReAct, fitted, is in Ml.Ood.Trainers).
/// </summary>
/// <remarks>
/// Every head writes a <see cref="float"/> column where higher means more likely out-of-distribution. The input column is
/// the feature h the classifier reads (the encoder's embedding after its ReLU); <c>layer</c> is that classifier's last
/// layer, read with <see cref="OodClassifierLayer.FromOnnx"/>, <see cref="OodClassifierLayer.FromMlNet(Microsoft.ML.ITransformer)"/>
/// or <see cref="OodClassifierLayer.FromArrays(float[], float[], int, int)"/>. Device, CPU fallback and rows per ONNX
/// Runtime call come from each head's <c>execution</c> options, then from the catalog's, then from the MLContext.
/// </remarks>
public static class OodFeatureHeadsCatalog
{
    /// <summary>ASH, activation shaping, then the energy of the classifier's logits (Djurisic et al., ICLR 2023).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The penultimate-feature column (known-size vector of Single, <c>layer.Features</c> wide); required.</param>
    /// <param name="layer">The classifier's last layer.</param>
    /// <param name="mode">ASH-P, ASH-B (OpenOOD's default) or ASH-S.</param>
    /// <param name="percentile">p in (0, 100): prune all but the k = D - round(D p / 100) largest features; 90 in OpenOOD.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not in (0, 100) or keeps no feature.</exception>
    public static AshEstimator Ash(this OodCatalog catalog, string outputColumnName, string inputColumnName, OodClassifierLayer layer,
        AshMode mode = AshMode.B, double percentile = 90, OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, layer, mode, percentile, execution);

    /// <summary>SCALE: the features scaled by exp(sum / sum of the largest), then the energy of the logits (Xu et al., ICLR 2024).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The penultimate-feature column (known-size vector of Single, <c>layer.Features</c> wide); required.</param>
    /// <param name="layer">The classifier's last layer.</param>
    /// <param name="percentile">p in (0, 100): the k = D - round(D p / 100) largest features make the denominator; 85 in OpenOOD.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> is not in (0, 100) or keeps no feature.</exception>
    public static ScaleEstimator Scale(this OodCatalog catalog, string outputColumnName, string inputColumnName, OodClassifierLayer layer,
        double percentile = 85, OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, layer, percentile, execution);
}
