namespace Ml.Ood;

// The fitted heads on penultimate features and the classifier's last layer (Ml.Ood.Trainers' Features folder): RMDS,
// fDBD, ViM and NNGuide. Messages thrown as ArgumentOutOfRangeException with the value omit it, since that exception
// appends it.
public static partial class OodErrors
{
    /// <summary>
    /// RMDS training rows that all equal their class mean. {0}: column, {1}: rows, {2}: classes, {3}: label column.
    /// </summary>
    public const string RmdsCovarianceRankZero =
        "Column '{0}' cannot fit an RMDS head: each of its {1} training rows equals the mean of its class ({2} classes in '{3}'), " +
        "so the class covariance is zero (rank 0) and there is no spread to measure distances with. This happens with one row " +
        "per class or identical rows within each class: fit on several different rows per class.";

    /// <summary>A fitted feature head on a view with no rows. {0}: column, {1}: the head.</summary>
    public const string FeatureHeadNoRows = "Column '{0}' has no rows: the {1} head is fitted on in-distribution training features.";

    /// <summary>
    /// fDBD on a layer whose classes {0} and {1} have identical weight rows (an <see cref="ArgumentException"/> on the layer).
    /// </summary>
    public const string FdbdIdenticalWeightRows =
        "Classes {0} and {1} of the classifier layer have identical weight rows, so no decision boundary separates them and fDBD's " +
        "distance to it (|f_m - f_j| / ||w_m - w_j||) divides by zero; merge the two classes or pass the layer the classifier uses.";

    /// <summary>
    /// ViM's dim outside [1, D) (an <see cref="ArgumentOutOfRangeException"/>, which appends the value). {0}: dim, {1}: D.
    /// </summary>
    public const string VimDimOutOfRange =
        "ViM's dim = {0} must be at least 1 and below the layer's feature count D = {1}: the dim largest principal directions of " +
        "the training features are left out and the residual is measured in the other D - dim; pass a smaller dim (null: D / 8).";

    /// <summary>Training features with no spread beyond ViM's principal directions. {0}: column, {1}: dim.</summary>
    public const string VimNoResidual =
        "The training features of column '{0}' have no spread beyond their {1} largest principal directions (every residual norm " +
        "is 0), so ViM's alpha = mean max-logit / mean residual norm divides by zero; pass a smaller dim.";

    /// <summary>An NNGuide bank without rows. {0}: column, {1}: the rows read.</summary>
    public const string NnGuideBankEmpty =
        "The NNGuide bank is empty: of the {1:N0} rows of column '{0}', none of non-zero norm was kept; pass a larger bankFraction " +
        "(0.01 by default) or more training rows.";

    /// <summary>NNGuide's k above its bank's size (an <see cref="ArgumentOutOfRangeException"/>, which appends k). {0}: k, {1}: bank rows.</summary>
    public const string NnGuideKLargerThanBank =
        "k = {0} is larger than the NNGuide bank ({1:N0} rows); pass a smaller k, a larger bankFraction (0.01 by default keeps 1% of " +
        "the training rows) or more training rows.";
}
