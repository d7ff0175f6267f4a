namespace Ml.Ood;

// Heads whose state (a KNN bank) is over ONNX's 2 GB protobuf limit: kept as external data from the moment they are
// built, saved as two .zip entries of their own, loaded only by ml.Ood().Load (docs/ARCHITECTURE.md section 4).
public static partial class OodErrors
{
    /// <summary>A large head's saved form met by plain ml.Model.Load (refused while ML.NET loads it).</summary>
    public const string LargeHeadLoadedByMlNet =
        "This model holds an MlOod head whose state is over ONNX's 2 GB limit (a large KNN bank), saved as external data " +
        "beside the head: ml.Model.Load cannot read it. Load the model with ml.Ood().Load(path, out schema), which maps " +
        "the bank from the .zip into memory.";

    /// <summary>A large head's stub scored without its bank (a saved form that ml.Ood().Load could not restore).</summary>
    public const string LargeHeadNotRestored =
        "An MlOod head over 2 GB was not restored from its saved form, so it has no bank to score against. Load the " +
        "model with ml.Ood().Load(path, out schema).";

    /// <summary>A large head's model or bank entry missing from the .zip. {0}: the entry expected, {1}: the entry that needs it.</summary>
    public const string LargeHeadEntryMissing =
        "The saved model is damaged: the entry '{0}', which holds part of the large MlOod head saved at '{1}', is missing. " +
        "Save the model again.";

    /// <summary>A large head's model or bank entry no head refers to. {0}: the entry.</summary>
    public const string LargeHeadEntryUnclaimed =
        "The saved model is damaged: the entry '{0}' holds part of a large MlOod head, but no head in the model refers to it. " +
        "Save the model again.";

    /// <summary>A large head's bank entry whose content does not match the hash in its model. {0}: the entry, {1}: what differs.</summary>
    public const string LargeHeadBankMismatch =
        "The saved model is damaged or was changed: the bank in entry '{0}' does not match the content hash its head " +
        "recorded ({1}). Save the model again from the fitted pipeline.";

    /// <summary>A large head's model without the bank hash or length it must carry. {0}: the entry, {1}: the key missing.</summary>
    public const string LargeHeadBankKeyMissing =
        "The saved model is damaged: the large MlOod head in entry '{0}' has no '{1}' metadata, so its bank cannot be checked. " +
        "Save the model again.";

    /// <summary>A large head asked for its model as one inline ONNX message (ExportOnnx). {0}: the head's size in GB.</summary>
    public const string LargeHeadNotInline =
        "This head's state is {0:F2} GB, over the 2 GB limit of one ONNX message, so it cannot be written as one .onnx " +
        "file: save the pipeline with ml.Model.Save and load it with ml.Ood().Load.";

    /// <summary>ML.NET's save context no longer has the method MlOod writes a large head's entries with. {0}: the method.</summary>
    public const string LargeHeadSaveUnsupported =
        "Saving a head over 2 GB needs ML.NET's ModelSaveContext.{0}, which this ML.NET version does not have (MlOod is " +
        "built against Microsoft.ML 5.0.1). Use the ML.NET version MlOod was built with, or sample the bank (maxBankRows).";

    /// <summary>A second external bank asked of one head's graph (a programming error in a head). {0}: the initializer.</summary>
    public const string LargeHeadSecondBank =
        "The head's graph already holds a bank as external data; '{0}' cannot be a second one (one per head).";

    /// <summary>A bank with more rows than one .NET list can hold. {0}: rows, {1}: the most rows.</summary>
    public const string KnnBankTooManyRows =
        "The KNN bank would hold {0:N0} rows, more than the {1:N0} rows one bank can index. Sample it: pass maxBankRows or " +
        "bankFraction.";
}
