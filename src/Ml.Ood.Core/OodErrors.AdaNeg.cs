namespace Ml.Ood;

// AdaNeg's messages (Zhang et al., NeurIPS 2024): its options, its update batches and its saved state.
public static partial class OodErrors
{
    /// <summary>AdaNeg's memory length below 1. {0}: the value.</summary>
    public const string AdaNegMemoryLengthOutOfRange =
        "AdaNegOptions.MemoryLength (L, the features each label's memory holds) must be at least 1; got {0}. " +
        "The paper and the official code use 10.";

    /// <summary>AdaNeg's threshold outside (0, 1). {0}: the value.</summary>
    public const string AdaNegThresholdOutOfRange =
        "AdaNegOptions.Threshold must be strictly between 0 and 1 (it splits the grouped NegLabel confidence, a share of a " +
        "softmax); got {0}. The official code uses 0.5.";

    /// <summary>AdaNeg's gap outside [0, 1). {0}: the value.</summary>
    public const string AdaNegGapOutOfRange =
        "AdaNegOptions.Gap must be in [0, 1) (the share of the distance from the threshold to 1 and to 0 that a row's confidence " +
        "must clear to enter a memory); got {0}. The official code uses 0.5.";

    /// <summary>AdaNeg's lambda not finite. {0}: the value.</summary>
    public const string AdaNegLambdaNotFinite =
        "AdaNegOptions.Lambda (the weight of the vanilla NegLabel confidence in the score) must be a finite number; got {0}. " +
        "The official code uses 0.1.";

    /// <summary>AdaNeg's groups outside [1, M]. {0}: the value, {1}: the number of negative labels.</summary>
    public const string AdaNegGroupsOutOfRange =
        "AdaNegOptions.Groups must be between 1 and the number of negative labels ({1}): the official code drops the last " +
        "M mod G negatives and splits the rest into G equal groups, so each group needs at least one; got {0}. " +
        "It uses 5 for ImageNet's 10,000 negatives.";

    /// <summary>AdaNeg's update batch below 1. {0}: the value.</summary>
    public const string AdaNegUpdateBatchOutOfRange =
        "AdaNegOptions.UpdateBatch (B, the rows that update the memories before they are scored) must be at least 1; got {0}. " +
        "The official code scores batches of 256.";

    /// <summary>An update batch of the wrong size. {0}: rows given, {1}: the update batch B.</summary>
    public const string AdaNegBatchSize =
        "An AdaNeg update batch holds 1 to {1} rows; got {0}. Cut the stream into batches of the head's UpdateBatch rows " +
        "(the last one may be shorter).";

    /// <summary>An update batch whose value buffer does not match. {0}: values given, {1}: rows, {2}: width.</summary>
    public const string AdaNegBatchValues =
        "An AdaNeg update batch of {1} rows of width {2} needs {1} x {2} values and as many scores as rows; got {0} values. " +
        "Pass the rows row-major, each as wide as the label embeddings.";

    /// <summary>An AdaNeg head whose model does not hold together. {0}: the output column, {1}: what is wrong.</summary>
    public const string AdaNegModelInvalid =
        "The AdaNeg head writing '{0}' is inconsistent ({1}): its model was changed after it was saved, or saved by another " +
        "version of MlOod. Fit the pipeline and save it again.";

    /// <summary>A saved AdaNeg state that fails a check. {0}: what is wrong.</summary>
    public const string AdaNegStateInvalid = "the saved AdaNeg state is inconsistent: {0}";
}
