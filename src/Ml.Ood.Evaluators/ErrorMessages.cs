using System.Globalization;

namespace Ml.Ood.Evaluators;

/// <summary>
/// Every message the evaluators throw, in one place so that tests can assert on them. Schema messages
/// keep ML.NET's wording, which its users already search for.
/// </summary>
internal static class ErrorMessages
{
    public const string ColumnNotFound = "Could not find input column '{0}'";
    public const string SchemaMismatch = "Schema mismatch for input column '{0}': expected {1}, got {2}";
    public const string NoInDistributionRows = "'{0}' has no in-distribution rows (all values are true); the metrics need rows of both kinds.";
    public const string NoOodRows = "'{0}' has no out-of-distribution rows (all values are false); the metrics need rows of both kinds.";
    public const string NoRows = "'{0}' is empty; the metric needs at least one row.";
    public const string NonFiniteScore = "'{0}' holds a NaN or infinite score at row {1}; scores must be finite.";
    public const string LengthMismatch = "'{0}' has {1} values but '{2}' has {3}; they must match.";
    public const string NotMultipleOfCount = "'{0}' has {1} values, which is not a multiple of {2} = {3}.";
    public const string CountMustBePositive = "'{0}' must be at least 1, got {1}.";
    public const string KOutOfRange = "'{0}' must be between 1 and {1}, got {2}.";
    public const string LabelOutOfRange = "'{0}' holds label {1} at row {2}; labels must be in [0, {3}).";
    public const string TooFewNegatives = "'{0}' row {1} has {2} negative labels, fewer than k = {3}; TKPR@K needs at least k negative labels in every row that has a positive label.";
    public const string NoPositiveLabels = "'{0}' has no row with a positive label; ranking metrics skip such rows and none is left.";
    public const string DecisionNotTruth = "'{0}' is an MlOod decision column (a prediction, marked " + OodAnnotations.DecisionKind + "), not the ground truth; evaluating a detector against its own decisions gives perfect metrics. Name the column that holds the true labels.";
    public const string SameTypeAsLabel = "the type of label column '{0}' ({1})";
    public const string VectorSizeUnknown = "Schema mismatch for input column '{0}': expected a vector of known size, got {1}";

    public static string Format(string message, params object[] args) =>
        string.Format(CultureInfo.InvariantCulture, message, args);
}
