namespace Ml.Ood;

// The batched ONNX encoder (ml.Ood().ApplyOnnxEncoder): the model's signature, its columns, its saved form.
public static partial class OodErrors
{
    /// <summary>No column names given for one side of the encoder. {0}: "input" or "output".</summary>
    public const string EncoderNoColumns = "ApplyOnnxEncoder needs at least one {0} column name: the names of the ONNX model's {0}s to use.";

    /// <summary>A column name given twice. {0}: "input" or "output", {1}: the name.</summary>
    public const string EncoderColumnTwice = "ApplyOnnxEncoder was given the {0} column '{1}' twice.";

    /// <summary>A requested input or output the model does not have. {0}: "input" or "output", {1}: name, {2}: the model's names.</summary>
    public const string EncoderNameNotInModel =
        "The ONNX encoder has no {0} named '{1}'; its {0}s are: {2}. Column names are the model's own names, as in ML.NET's ApplyOnnxModel " +
        "(copy a column to that name first, e.g. ml.Transforms.CopyColumns).";

    /// <summary>A model input that no input column feeds. {0}: the input, {1}: the columns given.</summary>
    public const string EncoderInputNotFed =
        "The ONNX encoder's input '{0}' is not among the input column names ({1}): ONNX Runtime needs every input of the model.";

    /// <summary>A model input or output that is not float32. {0}: "input" or "output", {1}: name, {2}: its element type.</summary>
    public const string EncoderTensorNotSingle =
        "The ONNX encoder's {0} '{1}' holds {2}, expected Single (float32): ApplyOnnxEncoder runs float models; use ML.NET's ApplyOnnxModel for others.";

    /// <summary>
    /// A model input or output without a dynamic batch dimension. {0}: "input" or "output", {1}: name, {2}: its shape.
    /// </summary>
    public const string EncoderFixedBatch =
        "The ONNX encoder's {0} '{1}' has shape [{2}]: its first dimension must be a dynamic batch dimension (shown as -1) for " +
        "ApplyOnnxEncoder to score blocks of rows in one call. Export the model with a dynamic first axis (PyTorch: torch.onnx.export " +
        "with dynamic_axes naming axis 0 of every input and output 'batch'), or keep ML.NET's ApplyOnnxModel, which runs one row per call.";

    /// <summary>A model input or output with a dimension after the batch that is not fixed. {0}: "input" or "output", {1}: name, {2}: its shape.</summary>
    public const string EncoderUnknownDimension =
        "The ONNX encoder's {0} '{1}' has shape [{2}]: every dimension after the batch must be fixed, so that each row has a known " +
        "number of values. Export the model with fixed sizes for those axes.";

    /// <summary>What the encoder's input column must be. {0}: values per row, {1}: the model's shape.</summary>
    public const string EncoderExpectedInput = "vector of Single of size {0} (the encoder's input shape [{1}] without its batch dimension)";

    /// <summary>A row whose input vector has another length than its column declares. {0}: column, {1}: row, {2}: its length, {3}: expected.</summary>
    public const string EncoderRowLength =
        "Row {1} of column '{0}' has {2} values, where the column and the ONNX encoder's input need {3}: the data view delivered a vector " +
        "of another length than its schema declares.";

    /// <summary>The model given as an encoder is an MlOod head. {0}: the file.</summary>
    public const string EncoderIsHead =
        "'{0}' is an MlOod head, not an encoder: append the head's transformer to the pipeline, or load the model it was saved in with ml.Ood().Load.";

    /// <summary>What an encoder's shared state is called in <see cref="HeadDisposed"/>. {0}: its output columns.</summary>
    public const string EncoderSubject = "The ONNX encoder writing {0}";

    /// <summary>An encoder asked for a GPU runs on the CPU. {0}: device, {1}: its output columns, {2}: ONNX Runtime's message.</summary>
    public const string EncoderGpuFallbackToCpu =
        "GPU device {0} could not run the ONNX encoder writing {1}; it runs on the CPU instead, as FallbackToCpu allows. ONNX Runtime said: {2}";

    /// <summary>ONNX Runtime refuses the encoder's model. {0}: its output columns, {1}: ONNX Runtime's message.</summary>
    public const string EncoderNotValidOnnx = "The ONNX encoder writing {0} is not a model ONNX Runtime can run: {1}";

    /// <summary>What holds an encoder found while a .zip is checked, for the messages below. {0}: the entry.</summary>
    public const string EncoderInEntrySubject = "The MlOod encoder in entry '{0}'";

    /// <summary>A saved encoder's model has no content hash. {0}: what holds it (<see cref="EncoderSubject"/> or <see cref="EncoderInEntrySubject"/>).</summary>
    public const string SavedEncoderUnhashed =
        "{0} has no content hash (every MlOod version that saves encoders writes one): " +
        "the model was altered after it was saved. Save it again from the fitted pipeline.";

    /// <summary>A saved encoder's settings cannot be read. {0}: the key, {1}: its value.</summary>
    public const string SavedEncoderSettingInvalid =
        "An MlOod encoder in the loaded model has an unreadable setting {0} = '{1}': the model is damaged. Save it again from the fitted pipeline.";

    /// <summary>
    /// A saved encoder's settings disagree with the transformer ML.NET saved. {0}: its output columns, {1}: the columns its
    /// settings name, {2}: the columns ML.NET's transformer has.
    /// </summary>
    public const string SavedEncoderColumnsMismatch =
        "The MlOod encoder writing {0} names the columns {1} in its settings, but ML.NET's saved transformer has {2}: the model is damaged. " +
        "Save it again from the fitted pipeline.";
}
