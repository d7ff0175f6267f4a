namespace Ml.Ood;

// The test-time heads (a state that adapts while it scores): the saved states, the test-time transformer and the
// streaming scorer, and OODD. AdaNeg's own messages are in OodErrors.AdaNeg.cs.
public static partial class OodErrors
{
    /// <summary>A saved test-time state that ends before its kind.</summary>
    public const string TestTimeStateNoKind =
        "The saved test-time state is empty or truncated: it ends before naming its kind. Save the state again.";

    /// <summary>A saved test-time state of a kind no reader is registered for. {0}: the kind, {1}: the known kinds.</summary>
    public const string TestTimeStateUnknownKind =
        "The saved test-time state is of kind '{0}', which this version of MlOod does not know (known: {1}). " +
        "Load it with the MlOod version that saved it.";

    /// <summary>A saved test-time state whose payload is truncated or corrupt. {0}: the kind, {1}: what was wrong.</summary>
    public const string TestTimeStateCorrupt =
        "The saved '{0}' test-time state is truncated or corrupt ({1}). Save the state again.";

    /// <summary>A saved state of another format version. {0}: the version found, {1}: the version read.</summary>
    public const string TestTimeStateVersion = "format version {0}, this MlOod reads version {1}";

    /// <summary>A saved state's field that cannot be right. {0}: the field, {1}: its value.</summary>
    public const string TestTimeStateField = "{0} is {1}";

    /// <summary>
    /// An update batch of the wrong size handed to a state. {0}: rows, {1}: the update batch B, {2}: the values given,
    /// {3}: the width, {4}: the scores' room.
    /// </summary>
    public const string TestTimeBatchOutOfRange =
        "An update batch must hold 1 to {1} rows: got {0} rows, {2} values of width {3} and room for {4} scores.";

    /// <summary>A PredictionEngine (row-to-row mapper) asked of a test-time head. {0}: the head's kind, {1}: its output column.</summary>
    public const string TestTimeNoRowToRow =
        "The {0} head writing '{1}' adapts while it scores: a row's score depends on the rows before it, so it has no " +
        "PredictionEngine (one would race on a shared state or score every row against the starting state alone). " +
        "Serve it with ml.Ood().CreateStreamingScorer(model), which scores batches in call order under one lock.";

    /// <summary>An ONNX export asked of a test-time head. {0}: the head's kind, {1}: its output column.</summary>
    public const string TestTimeNoExport =
        "The {0} head writing '{1}' adapts while it scores: its state machine (the dictionary or memory it updates between " +
        "batches) is not an ONNX graph, so it has no standalone ONNX form. Save the pipeline with ml.Model.Save and load it " +
        "with ml.Ood().Load.";

    /// <summary>A test-time head's saved form scored after a plain ml.Model.Load.</summary>
    public const string TestTimeLoadedByMlNet =
        "This head adapts while it scores (a test-time head such as OODD), and ml.Model.Load cannot restore its state " +
        "machine: load the model with ml.Ood().Load, and serve it with ml.Ood().CreateStreamingScorer.";

    /// <summary>A pipeline without exactly one test-time head. {0}: how many it holds.</summary>
    public const string StreamingHeadCount =
        "A streaming scorer serves exactly one test-time head (such as ml.Ood().Oodd), but the model holds {0}. " +
        "Pass the fitted pipeline or the one ml.Ood().Load returned.";

    /// <summary>A row of the wrong width given to a streaming scorer. {0}: column, {1}: row, {2}: expected, {3}: actual.</summary>
    public const string StreamingRowLength =
        "Row {1} given for '{0}' has {3} values; the head reads vectors of {2}. Pass each row as the head's input vector.";

    /// <summary>Row-major values that are not whole rows. {0}: column, {1}: the values, {2}: the width.</summary>
    public const string StreamingNotWholeRows =
        "{1} values were given for '{0}', not a whole number of rows of {2}. Pass rows x {2} values, row-major.";

    /// <summary>A snapshot of another head loaded into a scorer. {0}: the snapshot's kind, {1}: the scorer's kind, {2}: column.</summary>
    public const string StreamingSnapshotOtherHead =
        "The snapshot is of a {0} head that differs from this scorer's {1} head writing '{2}' (another kind, other settings " +
        "or another bank). Load a snapshot saved by a scorer of the same model.";

    /// <summary>OODD's alpha outside (0, 1]. {0}: the value.</summary>
    public const string OoddAlphaOutOfRange =
        "Alpha must be in (0, 1]: the fraction of informatively ordered training rows the bank keeps (0.5 in the paper, 1 keeps all).";

    /// <summary>OODD's informative sampling without its columns. {0}: alpha.</summary>
    public const string OoddSamplingNeedsColumns =
        "Alpha = {0} ranks the training rows by their classifier's confidence: set LabelColumnName and LogitsColumnName, " +
        "or set Alpha = 1 to keep every row.";

    /// <summary>An OODD count below 1. {0}: the setting, {1}: the value.</summary>
    public const string OoddSettingTooSmall = "{0} must be at least 1.";

    /// <summary>K2 above the dictionary's capacity. {0}: K2, {1}: capacity.</summary>
    public const string OoddK2AboveCapacity =
        "K2 = {0} exceeds Capacity = {1}: the dictionary never holds a K2-th neighbour. Lower K2 or raise Capacity.";

    /// <summary>K1 above the bank. {0}: K1, {1}: bank rows.</summary>
    public const string OoddK1AboveBank =
        "K1 = {0} exceeds the {1} rows of the bank: lower K1, raise Alpha or fit on more rows.";
}
