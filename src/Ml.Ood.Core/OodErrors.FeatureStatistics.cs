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
}
