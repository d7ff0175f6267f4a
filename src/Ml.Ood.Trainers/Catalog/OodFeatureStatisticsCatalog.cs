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

    /// <summary>
    /// fDBD, the feature distance to the decision boundaries (Liu and Qin, ICML 2024; OpenOOD <c>fdbd_postprocessor</c>):
    /// minus the sum over classes j of |f_m - f_j| / ||w_m - w_j|| (m the predicted class), divided by the distance to the
    /// training features' mean. Higher = more likely OOD.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The penultimate-feature column the layer reads (known-size vector of Single, D wide).</param>
    /// <param name="layer">The classifier's last layer (<see cref="OodClassifierLayer"/>); no two classes may share a weight row.</param>
    /// <param name="distanceAsNormalizer">Divide by ||h - mean of the training features|| (true, the default, the paper's) or by
    /// ||h|| (false; OpenOOD picks either on validation data).</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    public static FeatureDecisionBoundaryEstimator Fdbd(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        OodClassifierLayer layer, bool distanceAsNormalizer = true, OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, layer, distanceAsNormalizer, execution);

    /// <summary>
    /// ViM, virtual-logit matching (Wang et al., CVPR 2022; OpenOOD <c>vim_postprocessor</c>): alpha ||(h - u) NS|| minus the
    /// log-sum-exp of the logits, with u = -pinv(W) b and NS the training features' directions beyond the <paramref name="dim"/>
    /// principal ones. Higher = more likely OOD.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The penultimate-feature column the layer reads (known-size vector of Single, D wide).</param>
    /// <param name="layer">The classifier's last layer (<see cref="OodClassifierLayer"/>).</param>
    /// <param name="dim">The principal directions left out of the residual, 1 &lt;= dim &lt; D; null (the default) for D / 8 (at
    /// least 1), OpenOOD's 256 at D = 2048.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    public static VirtualLogitMatchingEstimator Vim(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        OodClassifierLayer layer, int? dim = null, OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, layer, dim, execution);

    /// <summary>
    /// NNGuide, nearest-neighbour guidance (Park et al., ICCV 2023; OpenOOD <c>nnguide_postprocessor</c>): minus the mean of the
    /// k largest similarities between unit(h) and a bank of guides unit(h_i) * energy_i of training rows, times the row's own
    /// log-sum-exp of logits. Higher = more likely OOD.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The penultimate-feature column the layer reads (known-size vector of Single, D wide).</param>
    /// <param name="layer">The classifier's last layer (<see cref="OodClassifierLayer"/>).</param>
    /// <param name="k">How many of the most similar guides are averaged; 100 (OpenOOD's) by default; at most the bank's size.</param>
    /// <param name="bankFraction">Keep each training row in the bank with this probability, in (0, 1]; 0.01 (OpenOOD's) by
    /// default; null keeps every row.</param>
    /// <param name="maxBankRows">Keep at most this many rows (uniform reservoir sample); null for no limit.</param>
    /// <param name="seed">Sampling seed; null uses the MLContext's.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    public static NearestNeighborGuidanceEstimator NnGuide(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        OodClassifierLayer layer, int k = 100, double? bankFraction = 0.01, int? maxBankRows = null, int? seed = null,
        OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, layer, k, bankFraction, maxBankRows, seed, execution);
}
