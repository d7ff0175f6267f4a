using Microsoft.ML;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood;

/// <summary>The AdaNeg head's settings, saved with the model (see <see cref="AdaNegOptions"/>).</summary>
/// <param name="MemoryLength">L, the memory length per label.</param>
/// <param name="Threshold">The confidence threshold in (0, 1).</param>
/// <param name="Gap">The gap in [0, 1).</param>
/// <param name="Lambda">The weight of the vanilla grouped NegLabel confidence.</param>
/// <param name="Groups">G, the number of groups of negatives.</param>
/// <param name="Temperature">tau, the temperature that divides the cosines.</param>
/// <param name="UpdateBatch">B, the rows that update the memories before they are scored.</param>
/// <param name="IdLabels">C, the number of class labels.</param>
/// <param name="NegativeLabels">M, the number of negative labels (all of them; the last M mod G are left out of the groups).</param>
/// <param name="ShuffleSeed">The seed of the shuffle before grouping, or null for the given order.</param>
/// <param name="SampleAdaptiveBeta">beta of the sample-adaptive proxies (samada), or null for the mean proxies.</param>
[OodHeadKind(AdaNegState.KindName)]
public sealed record AdaNegSettings(int MemoryLength, float Threshold, float Gap, float Lambda, int Groups, float Temperature,
    int UpdateBatch, int IdLabels, int NegativeLabels, int? ShuffleSeed, int? SampleAdaptiveBeta = null) : OodHeadSettings;

/// <summary>
/// AdaNeg (Zhang et al., NeurIPS 2024), a test-time head over NegLabel's inputs: it keeps a memory of test image
/// embeddings per class label and per negative label and scores each row against the memories' renormalised means.
/// Higher means more likely out-of-distribution: -(conf_in + lambda conf_in_vanilla), two grouped NegLabel confidences.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No: the class and negative label text embeddings are given; it adapts while it scores |
/// | Input column data type | Known-sized vector of <xref:System.Single> (image embedding, as wide as the text embeddings) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Transforms | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// Per update batch of B rows in stream order (official code: github YBZh/OpenOOD-VLM, commit 804f331,
/// <c>openood/postprocessors/ttaprompt_postprocessor.py</c>, class <c>TTAPromptPostprocessor_noadagap</c>): each row's
/// grouped NegLabel confidence c on the text embeddings; rows with c &gt; thres + gap (1 - thres) enter the memory of
/// their predicted class, rows with c &lt; thres - gap thres that of their nearest negative label, each memory keeping
/// its L - 1 lowest-entropy rows beside the text embedding; then every row of the batch is scored against the updated
/// memories (their renormalised means, or with <see cref="AdaNegOptions.SampleAdaptiveBeta"/> set, the official
/// <c>samada</c>: a proxy per row weighting each slot by exp(-beta (1 - cos))). The score of a row therefore depends on
/// the rows before it: see <see cref="OodTestTimeTransformer"/> for
/// the semantics (cursor order, update batches, no PredictionEngine, <c>ml.Ood().CreateStreamingScorer</c> for
/// serving) and docs/TEST-TIME-HEADS.md for the deviations from the official code. A row with a NaN or infinite value,
/// or all zeros, scores NaN and never enters a memory. Create it with <c>ml.Ood().AdaNeg(...)</c>.
/// </remarks>
public sealed class AdaNegEstimator : IEstimator<OodTestTimeTransformer>
{
    private readonly OodCatalog _catalog;
    private readonly AdaNegRule _rule;
    private readonly OodHeadExecution _execution;

    internal AdaNegEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, IReadOnlyList<float[]> idLabelEmbeddings,
        IReadOnlyList<float[]> negativeLabelEmbeddings, AdaNegOptions? options, OodExecutionOptions? execution)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        _catalog = catalog;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        _rule = AdaNegRule.Create(idLabelEmbeddings, negativeLabelEmbeddings, options);
        _execution = OodHeadExecution.Resolve(catalog, execution);
    }

    /// <summary>The column the head writes.</summary>
    public string OutputColumnName { get; }

    /// <summary>The image embedding column the head reads.</summary>
    public string InputColumnName { get; }

    /// <summary>A copy of the head's settings.</summary>
    public AdaNegOptions Options => _rule.Settings.Copy();

    /// <summary>The number of class labels.</summary>
    public int IdLabelCount => _rule.IdCount;

    /// <summary>The number of negative labels given (those left out of the groups included).</summary>
    public int NegativeLabelCount => _rule.NegativeCount;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing, not a known-size vector of Single, or not
    /// as wide as the label embeddings.</exception>
    public OodTestTimeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int width = HeadSchema.CheckInput(input.Schema, InputColumnName);
        if (width != _rule.Width)
        {
            throw new ArgumentOutOfRangeException("inputSchema",
                OodErrors.Format(OodErrors.LabelEmbeddingSizeMismatch, InputColumnName, _rule.Width, input.Schema[InputColumnName].Type.ToString()!));
        }

        OnnxRuntimeCheck.EnsureAvailable();
        var s = _rule.Settings;
        var settings = new AdaNegSettings(s.MemoryLength, s.Threshold, s.Gap, s.Lambda, s.Groups, s.Temperature, s.UpdateBatch,
            _rule.IdCount, _rule.NegativeCount, s.ShuffleSeed, s.SampleAdaptiveBeta);
        var info = new OodHeadInfo(AdaNegState.KindName, InputColumnName, OutputColumnName, width, OodHeadOutputKind.Score, HeadSettings.Write(settings));
        return new OodTestTimeTransformer(_catalog.Context, AdaNegModel.Build(_rule, info), _execution);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        HeadSchema.CheckInput(inputSchema, InputColumnName);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[OutputColumnName] = HeadSchema.OutputColumn(_catalog.Context, OutputColumnName, OodHeadOutputKind.Score);
        return new SchemaShape(columns.Values);
    }
}
