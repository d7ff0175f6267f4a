namespace Ml.Ood;

// Scoring: the batched and row-by-row paths, the heads' shared lifetime, the logit kernels and the graph builder.
public static partial class OodErrors
{
    /// <summary>A getter asked of a cursor for a column it was not created with. {0}: column.</summary>
    public const string ColumnNotRequestedByCursor = "Column '{0}' was not requested when the cursor was created.";

    /// <summary>A getter asked of a row for a column it was not created with. {0}: column.</summary>
    public const string ColumnNotRequestedByRow = "Column '{0}' was not requested when the row was created.";

    /// <summary>A getter asked for another type than the column's. {0}: column, {1}: its type, {2}: the type asked for.</summary>
    public const string GetterTypeMismatch = "Invalid TValue in GetGetter for column '{0}': expected {1}, got {2}.";

    /// <summary>A row asked of a view that has none (the schema-only view a load builds).</summary>
    public const string EmptyViewHasNoRows = "An empty view has no rows.";

    /// <summary>
    /// What a head's shared state is called in <see cref="HeadDisposed"/>. {0}: output column, {1}: the head's kind.
    /// </summary>
    public const string HeadWritingSubject = "The {1} head writing '{0}'";

    /// <summary>What a model loaded with <c>ml.Ood().Load</c> is called in <see cref="HeadDisposed"/>.</summary>
    public const string LoadedModelSubject = "The model loaded with ml.Ood().Load";

    /// <summary>
    /// A head or loaded model used after its last reference was released. {0}: what it is
    /// (<see cref="HeadWritingSubject"/> or <see cref="LoadedModelSubject"/>).
    /// </summary>
    public const string HeadDisposed =
        "{0} was disposed: every reference to it was released (its owner's and one per PredictionEngine that disposed it). " +
        "Keep the model undisposed while engines or cursors use it.";

    /// <summary>A GPU session that could not start. {0}: the device, {1}: ONNX Runtime's message.</summary>
    public const string GpuUnavailable =
        "Could not run the OOD head on GPU device {0}: {1} Reference Microsoft.ML.OnnxRuntime.Gpu " +
        "instead of Microsoft.ML.OnnxRuntime, or pass fallbackToCpu: true.";

    /// <summary>
    /// The warning when a head asked for a GPU runs on the CPU. {0}: the device, {1}: the output column, {2}: the kind,
    /// {3}: ONNX Runtime's message.
    /// </summary>
    public const string GpuFallbackToCpu =
        "GPU device {0} could not run the head writing '{1}' ({2}); it runs on the CPU instead, as FallbackToCpu allows. " +
        "ONNX Runtime said: {3}";

    /// <summary>A span of logits with no class.</summary>
    public const string LogitsRowEmpty = "A row of logits needs at least one class.";

    /// <summary>A block of logits that is not a whole number of rows. {0}: its length, {1}: the class count.</summary>
    public const string LogitsBlockNotMultiple = "The block holds {0} values, not a multiple of classCount = {1}.";

    /// <summary>A destination too short for a block's scores. {0}: its length, {1}: the rows (and values) needed.</summary>
    public const string LogitsDestinationTooShort = "The destination holds {0} values; {1} rows need {1}.";

    /// <summary>A head's settings class without its kind attribute. {0}: the class's name.</summary>
    public const string HeadKindMissing = "{0} names no head kind: mark it with [OodHeadKind(\"...\")].";

    /// <summary>
    /// An ONNX initializer whose values do not fill its shape. {0}: its name, {1}: values, {2}: the shape's dimensions
    /// joined by ", ", {3}: the values the shape holds.
    /// </summary>
    public const string InitializerShapeMismatch = "Initializer '{0}' has {1} values but its shape [{2}] holds {3}.";

    /// <summary>A graph value named twice. {0}: the name.</summary>
    public const string GraphValueNameTaken = "The ONNX graph already has a value named '{0}'.";
}
