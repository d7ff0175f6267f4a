namespace Ml.Ood;

// The evaluators' messages and the class-label reader's (ClassLabels, shared with the trainers). The evaluators
// name a column or an argument by its name alone ('{0}'), since the span functions have arguments, not columns.
public static partial class OodErrors
{
    /// <summary>
    /// A truth column given to an evaluator that holds MlOod's own decisions. {0}: column. (A threshold calibrated on
    /// them is <see cref="DecisionNotTruth"/>.)
    /// </summary>
    public const string DecisionNotEvaluationTruth =
        "'{0}' is an MlOod decision column (a prediction, marked " + OodAnnotations.DecisionKind + "), not the ground truth; " +
        "evaluating a detector against its own decisions gives perfect metrics. Name the column that holds the true labels.";

    /// <summary>A two-group metric whose truth marks every row flagged. {0}: the truth column or argument.</summary>
    public const string NoInDistributionRows =
        "'{0}' has no in-distribution rows (all values are true); the metrics need rows of both kinds.";

    /// <summary>A two-group metric whose truth marks no row flagged. {0}: the truth column or argument.</summary>
    public const string NoOodRows =
        "'{0}' has no out-of-distribution rows (all values are false); the metrics need rows of both kinds.";

    /// <summary>A metric given no row. {0}: the scores' column or argument.</summary>
    public const string NoRows = "'{0}' is empty; the metric needs at least one row.";

    /// <summary>A NaN or infinite score. {0}: column or argument, {1}: row.</summary>
    public const string NonFiniteScore = "'{0}' holds a NaN or infinite score at row {1}; scores must be finite.";

    /// <summary>Two arguments that must be as long. {0}: one, {1}: its length, {2}: the other, {3}: its length.</summary>
    public const string LengthMismatch = "'{0}' has {1} values but '{2}' has {3}; they must match.";

    /// <summary>
    /// Row-major scores whose length is not a whole number of rows. {0}: the scores, {1}: their length, {2}: the count's
    /// argument, {3}: the count.
    /// </summary>
    public const string NotMultipleOfCount = "'{0}' has {1} values, which is not a multiple of {2} = {3}.";

    /// <summary>A class or label count below 1. {0}: argument, {1}: the value.</summary>
    public const string CountMustBePositive = "'{0}' must be at least 1, got {1}.";

    /// <summary>A K outside [1, max]. {0}: argument, {1}: max, {2}: the value.</summary>
    public const string KOutOfRange = "'{0}' must be between 1 and {1}, got {2}.";

    /// <summary>A label outside the scores' classes. {0}: column or argument, {1}: label, {2}: row, {3}: the class count.</summary>
    public const string LabelOutOfRange = "'{0}' holds label {1} at row {2}; labels must be in [0, {3}).";

    /// <summary>A multi-label row with fewer than K negative labels. {0}: column or argument, {1}: row, {2}: negatives, {3}: k.</summary>
    public const string TooFewNegatives =
        "'{0}' row {1} has {2} negative labels, fewer than k = {3}; TKPR@K needs at least k negative labels in every row that " +
        "has a positive label.";

    /// <summary>Multi-label data where no row has a positive label. {0}: column or argument.</summary>
    public const string NoPositiveLabels = "'{0}' has no row with a positive label; ranking metrics skip such rows and none is left.";

    /// <summary>A vector column of unknown size. {0}: column, {1}: its type.</summary>
    public const string VectorSizeUnknown = "Schema mismatch for input column '{0}': expected a vector of known size, got {1}";

    /// <summary>
    /// The type a predicted-label column must have, for <see cref="SchemaMismatch"/>. {0}: the label column, {1}: its type.
    /// </summary>
    public const string ExpectedSameTypeAsLabel = "the type of label column '{0}' ({1})";

    /// <summary>The types a score column may have, for <see cref="SchemaMismatch"/>.</summary>
    public const string ExpectedScore = "Single or Double";

    /// <summary>The types a per-class score vector may have, for <see cref="SchemaMismatch"/>.</summary>
    public const string ExpectedScoreVector = "Vector<Single> or Vector<Double>";

    /// <summary>The types a multi-label relevance vector may have, for <see cref="SchemaMismatch"/>.</summary>
    public const string ExpectedRelevanceVector = "Vector<Boolean> or Vector<Single>";

    /// <summary>A vector as wide as another, for <see cref="SchemaMismatch"/>. {0}: the size.</summary>
    public const string ExpectedVectorOfSize = "a vector of size {0}";

    /// <summary>The types a class-label column may have, for <see cref="SchemaMismatch"/>.</summary>
    public const string ExpectedClassLabel =
        "a class label (Key, Byte, SByte, Int16, UInt16, Int32, UInt32, Int64, UInt64, or Single/Double holding whole non-negative numbers)";

    /// <summary>A key-typed class label that is missing (key 0). {0}: column, {1}: row.</summary>
    public const string ClassLabelMissingKey = "'{0}' holds a missing key value (key 0) at row {1}; every row read needs a class label.";

    /// <summary>A numeric class label that is NaN or a fraction. {0}: column, {1}: the value, {2}: row.</summary>
    public const string ClassLabelNotWhole = "'{0}' holds label {1} at row {2}; a class label must be a whole number, not NaN or a fraction.";

    /// <summary>A class label below 0 or above the largest. {0}: column, {1}: the value, {2}: row, {3}: the largest.</summary>
    public const string ClassLabelOutOfRange = "'{0}' holds label {1} at row {2}; a class label must be in [0, {3}].";
}
