using Microsoft.ML;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>The settings of OODD's vision-language variant, saved with the model (see <see cref="OoddVisionLanguageOptions"/>).</summary>
/// <param name="Confidence">Which confidence is s_id.</param>
/// <param name="Temperature">The temperature that divides the cosines.</param>
/// <param name="Groups">NegLabel's number of groups (1 for MCM).</param>
/// <param name="ShuffleSeed">NegLabel's shuffle seed before grouping, or null for the given order.</param>
/// <param name="IdLabels">The number of in-distribution classes.</param>
/// <param name="NegativeLabels">The negative labels the confidence uses (those given less their remainder modulo G; 0 for MCM).</param>
/// <param name="K2">The dictionary neighbour rank whose cosine is s_ood.</param>
/// <param name="Capacity">q: the most rows the dictionary holds (those with the lowest confidence seen so far).</param>
/// <param name="UpdateBatch">B: the rows scored between dictionary updates; a result-defining hyperparameter.</param>
[OodHeadKind(Kind)]
public sealed record OoddVisionLanguageSettings(OoddConfidence Confidence, float Temperature, int Groups, int? ShuffleSeed, int IdLabels,
    int NegativeLabels, int K2, int Capacity, int UpdateBatch) : OodHeadSettings
{
    /// <summary>The head's kind, <c>mlood.head = oodd_vl</c>.</summary>
    public const string Kind = "oodd_vl";
}

/// <summary>
/// OODD (Yang et al., CVPR 2025) for vision-language models: a test-time head whose s_id is the MCM or the NegLabel
/// confidence of a row's image embedding (computed by the head from the text embeddings given) instead of a KNN
/// similarity. Per update batch of B rows in stream order: s_id of every row; the dictionary keeps the q rows of lowest
/// s_id seen so far (the batch's own included); s_ood = K2-th largest cosine to them; score = s_ood - s_id, higher = OOD
/// (OODD's own score is its negation).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No: the text embeddings are given; it adapts while it scores |
/// | Input column data type | Known-sized vector of <xref:System.Single> (image embedding, as wide as the text embeddings) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Transforms | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// The official code (github zxk1212/OODD, <c>MCM/eval_ood_detection.py</c> and <c>NegLabel/tools/ood_test.py</c>) uses
/// s_id as the confidence itself, unscaled: MCM's max softmax (T = 1, in [1/C, 1]) or NegLabel's grouped share (in
/// [0, 1]); MlOod does the same (the stateless heads write the negated confidences, -MCM and -NegLabel). The score of a
/// row depends on the rows before it: see <see cref="OodTestTimeTransformer"/> for the semantics (cursor order, update
/// batches, no PredictionEngine, <c>ml.Ood().CreateStreamingScorer</c> for serving) and docs/TEST-TIME-HEADS.md
/// (section 7) for the deviations from the official code. A row with a NaN or infinite value, or all zeros, scores NaN
/// and never enters the dictionary; while the dictionary holds fewer than K2 rows, rows score NaN. Create it with
/// <c>ml.Ood().OoddVisionLanguage(...)</c>; source: src/Ml.Ood.Transforms/VisionLanguage/OoddVisionLanguageHead.cs.
/// </remarks>
public sealed class OoddVisionLanguageEstimator : IEstimator<OodTestTimeTransformer>
{
    private readonly OodCatalog _catalog;
    private readonly OoddVisionLanguageOptions _options;
    private readonly OodHeadExecution _execution;
    private readonly LabelEmbeddings _idLabels;
    private readonly LabelEmbeddings? _grouped;

    internal OoddVisionLanguageEstimator(OodCatalog catalog, OoddVisionLanguageOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _catalog = catalog;
        _options = options.Copy();
        string parameter = $"{nameof(OoddVisionLanguageOptions)}.";
        _idLabels = LabelEmbeddings.Normalise(options.IdLabelEmbeddings, LabelEmbeddings.IdSet, parameter + nameof(options.IdLabelEmbeddings));
        if (options.Confidence == OoddConfidence.NegativeLabels)
        {
            var negatives = LabelEmbeddings.Normalise(options.NegativeLabelEmbeddings, LabelEmbeddings.NegativeSet,
                parameter + nameof(options.NegativeLabelEmbeddings), _idLabels.Width);
            options.CheckGroups(negatives.Count);
            _grouped = negatives.Select(LabelEmbeddings.GroupOrder(negatives.Count, options.Groups, options.ShuffleSeed));
        }

        _execution = OodHeadExecution.Resolve(catalog, options.Execution);
    }

    /// <summary>The settings the fitted head will have.</summary>
    public OoddVisionLanguageSettings Settings => new(_options.Confidence, _options.TemperatureUsed,
        _grouped is null ? 1 : _options.Groups, _grouped is null ? null : _options.ShuffleSeed, _idLabels.Count, _grouped?.Count ?? 0,
        _options.K2, _options.Capacity, _options.UpdateBatch);

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing, not a known-size vector of Single, or not as
    /// wide as the text embeddings.</exception>
    public OodTestTimeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int width = HeadSchema.CheckInput(input.Schema, _options.ImageColumnName);
        _idLabels.CheckImageColumn(input.Schema, _options.ImageColumnName, width);
        OnnxRuntimeCheck.EnsureAvailable();
        var settings = Settings;
        var info = new OodHeadInfo(OoddVisionLanguageSettings.Kind, _options.ImageColumnName, _options.OutputColumnName, width,
            OodHeadOutputKind.Score, HeadSettings.Write(settings));
        var g = HeadGraph.Start(info);
        string image = g.UnitRows(g.Input);
        string confidence = _grouped is null
            ? VisionLanguageConfidence.Mcm(g, _idLabels, image, settings.Temperature)
            : VisionLanguageConfidence.NegativeLabels(g, _idLabels, _grouped, settings.Groups, image, settings.Temperature);
        // Fail closed on an all-zero row (no direction: a broken encoder): s_id NaN, so the row scores NaN and stays out of
        // the dictionary. NaN and infinite rows get NaN from the head's own guard.
        string largest = g.Node("ReduceMax", [g.Node("Abs", g.Input), g.Axis(1)], OnnxAttributes.Int("keepdims", 0));
        string guarded = g.Node("Where", g.Node("Greater", largest, g.Constant(0f)), confidence, g.Constant(float.NaN));
        return new OodTestTimeTransformer(_catalog.Context, g.Finish(guarded), _execution);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        HeadSchema.CheckInput(inputSchema, _options.ImageColumnName);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_options.OutputColumnName] = HeadSchema.OutputColumn(_catalog.Context, _options.OutputColumnName, OodHeadOutputKind.Score);
        return new SchemaShape(columns.Values);
    }
}
