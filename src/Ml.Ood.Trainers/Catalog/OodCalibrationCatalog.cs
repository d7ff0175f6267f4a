namespace Ml.Ood;

/// <summary>
/// The heads on <c>ml.Ood()</c> whose calibration is fitted on labelled in-distribution validation rows: temperature
/// scaling with T fitted by minimising the validation negative log-likelihood.
/// </summary>
/// <remarks>
/// Fit these heads on held-out validation rows, not on the rows the classifier was trained on (fit them apart from the
/// classifier's pipeline and append the fitted head). Device, CPU fallback and rows per ONNX Runtime call are as in
/// <see cref="OodLogitHeadsCatalog"/>.
/// </remarks>
public static class OodCalibrationCatalog
{
    /// <summary>
    /// Temperature scaling (Guo et al., ICML 2017; OpenOOD <c>temp_scaling</c>) with T fitted on the labelled validation rows
    /// passed to Fit, to the minimum of their mean negative log-likelihood; the score is -max softmax(z / T), higher = more
    /// likely out-of-distribution.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The logits column (known-size vector of Single); required.</param>
    /// <param name="labelColumnName">The class label column of the validation rows: a key (key k is logit k - 1), or a
    /// whole number of any number type (class c is logit c).</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <param name="allowProbabilities">Fit throws when the input's first rows all look like probabilities; pass
    /// <see langword="true"/> only if the column does hold logits.</param>
    /// <exception cref="ArgumentException">A column name is null or blank.</exception>
    public static FittedTemperatureScalingEstimator TemperatureScaling(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        string labelColumnName, OodExecutionOptions? execution = null, bool allowProbabilities = false)
        => new(catalog, outputColumnName, inputColumnName, labelColumnName, execution, allowProbabilities);
}
