namespace Ml.Ood;

// The classifier layer (OodClassifierLayer) and the heads on penultimate features that read it (ReAct, ASH, SCALE, ...).
public static partial class OodErrors
{
    /// <summary>A classifier layer's array of the wrong length. {0}: parameter, {1}: expected length, {2}: its shape, {3}: actual.</summary>
    public const string LayerArrayLength = "'{0}' holds {3} values, but a layer of {2} needs {1}; pass the weights row-major, one row of features per class.";

    /// <summary>A classifier layer's count below 1. {0}: parameter, {1}: its value.</summary>
    public const string LayerCountTooSmall = "'{0}' is {1}; a classifier layer needs at least one class and one feature.";

    /// <summary>A NaN or infinite weight or bias. {0}: parameter, {1}: the flat index, {2}: the value.</summary>
    public const string LayerValueNotFinite = "'{0}' has the non-finite value {2} at index {1}; a classifier layer needs finite weights and biases.";

    /// <summary>Weight rows of unequal length. {0}: the row, {1}: its length, {2}: the first row's length.</summary>
    public const string LayerRowLength = "Weight row {0} has {1} values, but row 0 has {2}; every class needs one weight per feature.";

    /// <summary>A layer whose weights and features are too large for one array. {0}: classes, {1}: features.</summary>
    public const string LayerTooLarge = "A classifier layer of {0} classes x {1} features does not fit one .NET array.";

    /// <summary>An ONNX model without the requested output. {0}: the output, {1}: the model, {2}: its outputs joined by ", ".</summary>
    public const string LayerOutputNotFound = "The ONNX model '{1}' has no graph output '{0}'; its outputs: {2}. Pass the name of the logits output.";

    /// <summary>
    /// The output is not produced by a linear layer. {0}: the output, {1}: the op producing it (or what is there), {2}: the model.
    /// </summary>
    public const string LayerNotLinear =
        "Output '{0}' of '{2}' is produced by {1}, not by a linear layer (Gemm, MatMul, or Add of a MatMul and a constant); " +
        "pass the output of the classifier's last layer (the logits, before any softmax).";

    /// <summary>A linear layer whose weights or bias are computed, not constant. {0}: the output, {1}: the value, {2}: the model.</summary>
    public const string LayerWeightsNotConstant =
        "The linear layer producing '{0}' in '{2}' reads '{1}', which is not an initializer or a Constant; MlOod needs its weights as constants.";

    /// <summary>A layer's constant of an unusable form. {0}: the initializer, {1}: what is wrong with it, {2}: the model.</summary>
    public const string LayerTensorUnsupported = "Initializer '{0}' of '{2}' cannot be read as the classifier's weights: {1}.";

    /// <summary>A Gemm that transposes its feature input. {0}: the output, {1}: the model.</summary>
    public const string LayerGemmTransA = "The Gemm producing '{0}' in '{1}' has transA = 1; MlOod reads rows of features (transA = 0).";

    /// <summary>Weights and bias of the ONNX layer disagree. {0}: the output, {1}: the bias's length, {2}: classes, {3}: the model.</summary>
    public const string LayerBiasShape = "The bias of the layer producing '{0}' in '{3}' has {1} values for {2} classes.";

    /// <summary>No linear multiclass model in an ML.NET transformer. {0}: the transformer's type.</summary>
    public const string LayerNoMlNetModel =
        "The transformer ({0}) holds no linear multiclass model: pass the fitted pipeline of a trainer such as SdcaNonCalibrated, " +
        "SdcaMaximumEntropy or LbfgsMaximumEntropy, or its model parameters.";

    /// <summary>An ML.NET model whose weights and biases disagree. {0}: weights' classes, {1}: biases.</summary>
    public const string LayerMlNetBiasCount = "The ML.NET model has {0} weight vectors but {1} biases.";

    /// <summary>
    /// The feature column's width is not the layer's. {0}: column, {1}: the layer's feature count, {2}: the column's width.
    /// </summary>
    public const string LayerFeatureWidth =
        "Column '{0}' has {2} values per row, but the classifier layer reads {1} features; pass the penultimate-feature column " +
        "the layer reads (e.g. the encoder's embedding), not its logits.";

    /// <summary>A percentile outside (0, 100) (an <see cref="ArgumentOutOfRangeException"/>, which appends the value).</summary>
    public const string PercentileOutOfRange = "The percentile must lie strictly between 0 and 100 (OpenOOD's defaults: ReAct 90, ASH 90, SCALE 85).";

    /// <summary>A pruning percentile that keeps no feature. {0}: the percentile, {1}: the feature count.</summary>
    public const string PercentileKeepsNothing = "Percentile {0} of {1} features keeps none (k = D - round(D p / 100) = 0); lower it.";

    /// <summary>ReAct fitted on too many activations for one array. {0}: column, {1}: the count.</summary>
    public const string ReActTooManyActivations =
        "Column '{0}' has {1:N0} activations, more than one .NET array holds; fit ReAct on a sample (ml.Data.TakeRows or a validation split).";

    /// <summary>ReAct fitted on a view with no rows. {0}: column.</summary>
    public const string ReActNoRows = "Column '{0}' has no rows: ReAct's clip value is a percentile of training activations.";
}
