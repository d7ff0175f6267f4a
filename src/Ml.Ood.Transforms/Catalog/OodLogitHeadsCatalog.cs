namespace Ml.Ood;

/// <summary>The heads on a row of logits, on <c>ml.Ood()</c>: energy, MSP, MaxLogit, GEN, temperature scaling, JointEnergy.</summary>
/// <remarks>
/// Every head writes a <see cref="float"/> column where higher means more likely out-of-distribution. Device, CPU
/// fallback and rows per ONNX Runtime call come from each head's <c>execution</c> options, then from the catalog's options
/// (<c>ml.Ood(options)</c>), then from the MLContext (see <see cref="OodExecutionOptions"/>). These heads read logits:
/// fitted on probabilities (the Score of LbfgsMaximumEntropy and ML.NET's other calibrated multiclass trainers) they
/// throw, unless <c>allowProbabilities: true</c>.
/// </remarks>
public static class OodLogitHeadsCatalog
{
    /// <summary>Energy score E(x) = -T * logsumexp(z / T) of a logits column (Liu et al., NeurIPS 2020).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The logits column (known-size vector of Single), e.g. a non-calibrated trainer's Score; required.</param>
    /// <param name="temperature">T &gt; 0; 1 in the paper's main results.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <param name="allowProbabilities">Fit throws when the input's first rows all look like probabilities (a calibrated
    /// trainer's Score); pass <see langword="true"/> only if the column does hold logits.</param>
    /// <exception cref="ArgumentException"><paramref name="inputColumnName"/> is null or blank.</exception>
    public static EnergyEstimator Energy(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        float temperature = 1f, OodExecutionOptions? execution = null, bool allowProbabilities = false)
        => new(catalog, outputColumnName, inputColumnName, temperature, execution, allowProbabilities);

    /// <summary>Negated maximum softmax probability, -max softmax(z), of a logits column (Hendrycks and Gimpel, ICLR 2017).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The logits column (known-size vector of Single); required.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <param name="allowProbabilities">Fit throws when the input's first rows all look like probabilities; pass
    /// <see langword="true"/> only if the column does hold logits.</param>
    /// <exception cref="ArgumentException"><paramref name="inputColumnName"/> is null or blank.</exception>
    public static MaxSoftmaxProbabilityEstimator MaxSoftmaxProbability(this OodCatalog catalog, string outputColumnName,
        string inputColumnName, OodExecutionOptions? execution = null, bool allowProbabilities = false)
        => new(catalog, outputColumnName, inputColumnName, execution, allowProbabilities);

    /// <summary>Negated maximum logit, -max z, of a logits column (Hendrycks et al., ICML 2022).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The logits column (known-size vector of Single); required.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <param name="allowProbabilities">Fit throws when the input's first rows all look like probabilities; pass
    /// <see langword="true"/> only if the column does hold logits.</param>
    /// <exception cref="ArgumentException"><paramref name="inputColumnName"/> is null or blank.</exception>
    public static MaxLogitEstimator MaxLogit(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        OodExecutionOptions? execution = null, bool allowProbabilities = false)
        => new(catalog, outputColumnName, inputColumnName, execution, allowProbabilities);

    /// <summary>GEN, the generalized entropy of the softmax of a logits column (Liu et al., CVPR 2023).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The logits column (known-size vector of Single); required.</param>
    /// <param name="gamma">g in (0, 1) of p^g (1 - p)^g; 0.1 in the paper.</param>
    /// <param name="m">How many of the largest probabilities to sum over; 100 in the paper (all when there are fewer classes).</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <param name="allowProbabilities">Fit throws when the input's first rows all look like probabilities; pass
    /// <see langword="true"/> only if the column does hold logits.</param>
    public static GeneralizedEntropyEstimator GeneralizedEntropy(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        float gamma = 0.1f, int m = 100, OodExecutionOptions? execution = null, bool allowProbabilities = false)
        => new(catalog, outputColumnName, inputColumnName, gamma, m, execution, allowProbabilities);

    /// <summary>
    /// Temperature scaling with a given temperature (Guo et al., ICML 2017; OpenOOD <c>temp_scaling</c>), negated:
    /// -max softmax(z / T) of a logits column. Higher = more likely out-of-distribution.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The logits column (known-size vector of Single); required.</param>
    /// <param name="temperature">T &gt; 0, required (1 is MSP). To fit T on labelled validation rows, use the overload with a
    /// label column in Ml.Ood.Trainers.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <param name="allowProbabilities">Fit throws when the input's first rows all look like probabilities; pass
    /// <see langword="true"/> only if the column does hold logits.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a positive finite number.</exception>
    public static TemperatureScalingEstimator TemperatureScaling(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        float temperature, OodExecutionOptions? execution = null, bool allowProbabilities = false)
        => new(catalog, outputColumnName, inputColumnName, temperature, execution, allowProbabilities);

    /// <summary>
    /// JointEnergy of a multi-label logits column (Wang et al., NeurIPS 2021), negated: -sum_i log(1 + exp(z_i)) over the
    /// independent label logits. Higher = more likely out-of-distribution.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The multi-label logits column (known-size vector of Single, before the sigmoid); required.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <param name="allowProbabilities">Fit throws when the input's first rows hold only values in [0, 1] (sigmoid
    /// probabilities); pass <see langword="true"/> only if the column does hold logits.</param>
    public static JointEnergyEstimator JointEnergy(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        OodExecutionOptions? execution = null, bool allowProbabilities = false)
        => new(catalog, outputColumnName, inputColumnName, execution, allowProbabilities);
}
