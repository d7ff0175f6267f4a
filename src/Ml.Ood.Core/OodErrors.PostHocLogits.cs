namespace Ml.Ood;

// The post-hoc heads on logits and cosines added for OpenOOD's list: temperature scaling (given or fitted T), JointEnergy
// and Delta-Energy. Messages thrown as ArgumentOutOfRangeException with the value omit it, since that exception appends it.
public static partial class OodErrors
{
    /// <summary>
    /// A multi-label logit head fitted on sigmoid probabilities. {0}: column, {1}: the head, {2}: how many rows were inspected.
    /// </summary>
    public const string SigmoidProbabilitiesNotLogits =
        "The {1} head reads column '{0}', whose first {2} rows hold only values in [0, 1], as per-label sigmoid probabilities do, " +
        "but it expects multi-label logits (one unbounded score per label, before the sigmoid): on probabilities its score " +
        "loses what it measures. Read the model's output before its sigmoid. If the column does hold logits, pass " +
        "allowProbabilities: true.";

    /// <summary>Delta-Energy's count of lowered cosines outside [1, labels]. {0}: the number of ID labels.</summary>
    public const string LoweredCountOutOfRange =
        "Delta-Energy lowers the largest cosines of a row, at least 1 and at most all {0} ID labels; 1 is the paper's reading.";

    /// <summary>Delta-Energy's lowered value that is not a cosine.</summary>
    public const string LoweredCosineOutOfRange =
        "The value the largest cosines are lowered to must be a cosine similarity, finite and in [-1, 1]; 0 is the paper's reading.";

    /// <summary>A temperature fitted on a view with no rows. {0}: logits column.</summary>
    public const string TemperatureNoRows =
        "Column '{0}' has no rows: fitting a temperature needs labelled in-distribution validation rows.";

    /// <summary>
    /// A validation label with no logit. {0}: label column, {1}: the label (0-based), {2}: row, {3}: logits column,
    /// {4}: logits per row, {5}: the largest valid label.
    /// </summary>
    public const string TemperatureLabelBeyondLogits =
        "Column '{0}' holds class {1} (0-based; key k is class k - 1) at row {2}, but column '{3}' has {4} logits per row: " +
        "labels must be in [0, {5}], one per logit, in the classifier's class order.";

    /// <summary>
    /// Validation rows on which every label is its row's largest logit. {0}: logits column, {1}: rows, {2}: label column.
    /// </summary>
    public const string TemperatureSeparable =
        "Column '{0}' gives the label in '{2}' the largest logit in every one of its {1} validation rows, so the negative " +
        "log-likelihood of softmax(z / T) keeps falling as T goes to 0 and has no minimum; the head would score almost " +
        "every row -1 (in-distribution). Fit on held-out validation rows the classifier was not trained on (some of them " +
        "misclassified), or give the temperature: TemperatureScaling(outputColumnName, inputColumnName, temperature).";

    /// <summary>
    /// Validation logits that do not rank their labels above the row mean. {0}: logits column, {1}: rows, {2}: label column.
    /// </summary>
    public const string TemperatureNoSignal =
        "Column '{0}' does not rank the labels in '{2}' above their row's mean logit on average over its {1} validation " +
        "rows, so the negative log-likelihood of softmax(z / T) is lowest as T grows without bound (a uniform softmax) and " +
        "no finite temperature fits. Check that the labels follow the logits' class order (key k is logit k - 1), or give " +
        "the temperature: TemperatureScaling(outputColumnName, inputColumnName, temperature).";
}
