namespace Ml.Ood;

/// <summary>
/// Every message MlOod throws, in one place so that tests can assert on them; schema messages keep ML.NET's wording,
/// which its users already search for. Formats take the column name first where there is one.
/// </summary>
/// <remarks>
/// One table, in files by area: this one holds the schema messages every package shares and the heads' options and
/// settings; OodErrors.Evaluation.cs the evaluators' and the class-label reader's, OodErrors.Execution.cs scoring's,
/// OodErrors.Models.cs saved models' (ONNX wire format, content hashes, the .zip, ML.NET's saved form),
/// OodErrors.Training.cs the trainers', OodErrors.Features.cs the classifier layer's and the activation heads' (ReAct, ASH,
/// SCALE), OodErrors.FeatureStatistics.cs the fitted feature heads' (RMDS, fDBD, ViM, NNGuide), and
/// OodErrors.PostHocLogits.cs temperature scaling's, JointEnergy's and Delta-Energy's. Each constant's summary lists its format arguments; the library fills them
/// in with the invariant culture, so that a message reads the same on every machine.
/// </remarks>
public static partial class OodErrors
{
    /// <summary>The input column is absent. {0}: column.</summary>
    public const string ColumnNotFound = "Could not find input column '{0}'";

    /// <summary>The input column has the wrong type. {0}: column, {1}: expected, {2}: actual.</summary>
    public const string SchemaMismatch = "Schema mismatch for input column '{0}': expected {1}, got {2}";

    /// <summary>The description of the type every head reads.</summary>
    public const string ExpectedFloatVector = "known-size vector of Single";

    /// <summary>The description of the type every head reads, with its size. {0}: size.</summary>
    public const string ExpectedFloatVectorOfSize = "vector of Single of size {0}";

    /// <summary>
    /// Appended to <see cref="SchemaMismatch"/> when the column is a vector of Single whose size is not known
    /// (ML.NET's <c>Vector&lt;Single&gt;</c>): how to declare the size.
    /// </summary>
    public const string VariableSizeVectorHint =
        ". Its size is not known: declare it with [VectorType(n)] on the input class's property, or in a SchemaDefinition " +
        "with new VectorDataViewType(NumberDataViewType.Single, n), n being the number of values per row";

    /// <summary>
    /// A logit head fitted on probabilities. {0}: column, {1}: the head, {2}: how many rows were inspected.
    /// </summary>
    public const string ProbabilitiesNotLogits =
        "The {1} head reads column '{0}', whose first {2} rows are probabilities (non-negative, summing to 1), but it expects logits " +
        "(unnormalised class scores): on probabilities its score loses what it measures. ML.NET's calibrated multiclass trainers " +
        "(LbfgsMaximumEntropy, SdcaMaximumEntropy, LightGbm) write probabilities to Score; use a non-calibrated trainer " +
        "(e.g. SdcaNonCalibrated) or the logits output of your ONNX model. If the column does hold logits, pass allowProbabilities: true.";

    /// <summary>
    /// ONNX Runtime's native library is missing or does not match. {0}: the exception type, {1}: its message,
    /// {2}: the managed ONNX Runtime version the Ml.Ood packages were built against.
    /// </summary>
    public const string OnnxRuntimeNotAvailable =
        "ONNX Runtime's native library could not be loaded ({0}: {1}). MlOod's heads run on ONNX Runtime, and the Ml.Ood " +
        "packages reference only its managed API so that you choose the native one: add the NuGet package " +
        "Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu (CUDA) to your application, version {2}.";

    /// <summary>
    /// Mahalanobis training rows that all equal their class mean. {0}: column, {1}: rows, {2}: classes, {3}: label column.
    /// </summary>
    public const string CovarianceRankZero =
        "Column '{0}' cannot fit a Mahalanobis head: each of its {1} training rows equals the mean of its class ({2} classes " +
        "in '{3}'), so the shared covariance is zero (rank 0) and there is no spread to measure distances with; every input, " +
        "NaN included, would score 0. This happens with one row per class or identical rows within each class: fit on " +
        "several different rows per class.";

    /// <summary>A truth column that holds MlOod's own decisions. {0}: column.</summary>
    public const string DecisionNotTruth =
        "Column '{0}' is an MlOod decision column (a prediction, marked " + OodAnnotations.DecisionKind + "), not the truth; " +
        "calibrating a threshold on its own decisions feeds the detector's output back into it. Name the column that says " +
        "which rows are truly out-of-distribution.";

    /// <summary>A threshold's calibration score that is NaN or infinite. {0}: column, {1}: "a NaN" or "an infinite", {2}: row.</summary>
    public const string CalibrationScoreNotFinite =
        "Column '{0}' has {1} score in row {2}; the threshold needs a finite score for every in-distribution row.";

    /// <summary>A threshold fitted on a view with no rows. {0}: column.</summary>
    public const string CalibrationNoRows =
        "Column '{0}' has no rows: the threshold needs in-distribution scores to calibrate on.";

    /// <summary>A threshold fitted on a view whose rows are all marked OOD. {0}: column, {1}: rows, {2}: the truth column.</summary>
    public const string CalibrationNoIdRows =
        "Column '{0}' has no in-distribution rows: '{2}' marks all {1} rows out-of-distribution, and the threshold needs " +
        "in-distribution scores to calibrate on.";

    /// <summary>A head that is not what a typed accessor reads. {0}: output column, {1}: its kind, {2}: the expected kind.</summary>
    public const string NotThatHead = "The head writing '{0}' is a '{1}' head, not a '{2}' head.";

    /// <summary>A temperature that is not a positive finite number. {0}: the value.</summary>
    public const string TemperatureNotPositive = "The temperature must be a positive finite number; got {0}.";

    /// <summary>
    /// The input column's width differs from the label embeddings'. {0}: column, {1}: the label embeddings' width,
    /// {2}: the column's type.
    /// </summary>
    public const string LabelEmbeddingSizeMismatch =
        "Schema mismatch for input column '{0}': expected vector of Single of size {1} (the width of the label embeddings), got {2}";

    /// <summary>A label set with no embedding. {0}: which set (ID or negative).</summary>
    public const string LabelSetEmpty = "The {0} label embeddings are empty; pass at least one.";

    /// <summary>A label embedding with a NaN or infinite value. {0}: which set, {1}: its index.</summary>
    public const string LabelEmbeddingNotFinite = "The {0} label embedding {1} has a NaN or infinite value.";

    /// <summary>A label embedding of zero norm. {0}: which set, {1}: its index.</summary>
    public const string LabelEmbeddingZero = "The {0} label embedding {1} has zero norm, so it has no direction to compare.";

    /// <summary>A label embedding of another width. {0}: which set, {1}: its index, {2}: its width, {3}: the expected width.</summary>
    public const string LabelEmbeddingWidth = "The {0} label embedding {1} has {2} values, but the label embeddings are {3} wide; all must come from one text encoder.";

    /// <summary>A number of groups out of range. {0}: groups, {1}: the number of negative labels.</summary>
    public const string GroupsOutOfRange = "The number of groups must be between 1 and the number of negative labels ({1}); got {0}.";

    /// <summary>
    /// A row whose vector is not as long as the head was fitted for. {0}: column, {1}: row, {2}: expected length,
    /// {3}: actual length, {4}: the head's kind.
    /// </summary>
    public const string VectorLengthMismatch =
        "Column '{0}' holds {3} values in row {1}, but the {4} head reads vectors of {2}: every row must have the column's declared size.";

    /// <summary>A GEN exponent outside (0, 1). {0}: the value.</summary>
    public const string GammaOutOfRange = "GEN's gamma must be in (0, 1); got {0}.";

    /// <summary>A KNN bank with no row to keep. {0}: column.</summary>
    public const string KnnBankEmpty = "The KNN bank is empty: column '{0}' gave no row of non-zero norm to keep.";

    /// <summary>A k above the bank's size. {0}: k, {1}: bank rows.</summary>
    public const string KnnKLargerThanBank = "k = {0} is larger than the KNN bank ({1:N0} rows); pass a smaller k or keep more rows.";

    /// <summary>A k below 1. {0}: k.</summary>
    public const string KTooSmall = "k must be at least 1; got {0}.";

    /// <summary>A bank fraction outside (0, 1]. {0}: the value.</summary>
    public const string BankFractionOutOfRange = "The bank fraction must be in (0, 1]; got {0}.";

    /// <summary>A bank row cap below 1. {0}: the value.</summary>
    public const string MaxBankRowsTooSmall = "The bank needs at least one row; got maxBankRows = {0}.";

    /// <summary>A true positive rate outside (0, 1]. {0}: the value.</summary>
    public const string TruePositiveRateOutOfRange = "The ID true positive rate must be in (0, 1]; got {0}.";

    /// <summary>A number of negative labels below 1. {0}: the value.</summary>
    public const string NegativeCountTooSmall = "The number of negative labels to keep must be at least 1; got {0}.";

    /// <summary>A quantile outside [0, 1]. {0}: the value.</summary>
    public const string QuantileOutOfRange = "The quantile must be in [0, 1]; got {0}.";

    /// <summary>A number of groups below 1. {0}: the value.</summary>
    public const string GroupsTooFew = "The number of groups must be at least 1; got {0}.";

    /// <summary>NegMining left no candidate.</summary>
    public const string NegativeMiningKeptNothing = "NegMining kept no word: every candidate equals an ID label name or repeats another.";

    /// <summary>A head's setting that its metadata lacks. {0}: output column, {1}: kind, {2}: setting.</summary>
    public const string SettingMissing = "The {1} head writing '{0}' has no '{2}' setting: the model is damaged or was saved by another MlOod version.";

    /// <summary>A head's setting that cannot be read. {0}: output column, {1}: kind, {2}: setting, {3}: its text.</summary>
    public const string SettingUnreadable = "The {1} head writing '{0}' has an unreadable '{2}' setting ('{3}'): the model is damaged.";

    /// <summary>A block size below one row. {0}: the value.</summary>
    public const string BlockSizeTooSmall = "The block size must be at least 1 row; got {0}.";

    /// <summary>A parallelism below one call. {0}: the value.</summary>
    public const string ParallelismTooSmall =
        "OodExecutionOptions.Parallelism must be at least 1 (ONNX Runtime calls at once); got {0}. Leave it null for one per core.";

    internal static string Format(string format, params object?[] args)
        => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
}
