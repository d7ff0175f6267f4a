using Microsoft.ML;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>
/// OODD (Yang et al., CVPR 2025; zxk1212/OODD, openood/postprocessors/knn_postprocessor.py): a test-time OOD head that
/// keeps a dictionary of the most OOD-like rows of the stream. s_id = K1-th largest cosine to a bank of in-distribution
/// rows; per update batch of B rows the dictionary keeps the q rows of lowest s_id seen so far (the batch's own
/// included); s_ood = K2-th largest cosine to them; score = s_ood - s_id, higher = OOD (OODD's own score is its negation).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: it reads the features (and, for alpha < 1, labels and logits) once to build the bank |
/// | Input column data type | Known-sized vector of <xref:System.Single> |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// The score of a row depends on the rows before it: see <see cref="OodTestTimeTransformer"/> for the semantics
/// (cursor order, update batches, no PredictionEngine, <c>ml.Ood().CreateStreamingScorer</c> for serving) and
/// docs/TEST-TIME-HEADS.md for the deviations from the official code. Create it with <c>ml.Ood().Oodd(...)</c>.
/// </remarks>
public sealed class OoddEstimator : IEstimator<OodTestTimeTransformer>
{
    private readonly OodCatalog _catalog;
    private readonly OoddOptions _options;
    private readonly OodHeadExecution _execution;

    internal OoddEstimator(OodCatalog catalog, OoddOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options.Validate();
        _catalog = catalog;
        _options = options.Copy();
        _execution = OodHeadExecution.Resolve(catalog, options.Execution);
    }

    /// <inheritdoc/>
    public OodTestTimeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int width = CheckInputs(input.Schema);
        OnnxRuntimeCheck.EnsureAvailable();
        var (bank, rows) = OoddBank.Read(input, _options.FeatureColumnName, _options.LabelColumnName, _options.LogitsColumnName, _options.Alpha);
        if (rows == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.KnnBankEmpty, _options.FeatureColumnName));
        }

        if (_options.K1 > rows)
        {
            throw new ArgumentOutOfRangeException(nameof(OoddOptions.K1), _options.K1, OodErrors.Format(OodErrors.OoddK1AboveBank, _options.K1, rows));
        }

        var settings = new OoddSettings(_options.K1, _options.K2, _options.Capacity, _options.UpdateBatch, rows, _options.Alpha);
        var info = new OodHeadInfo(OoddSettings.Kind, _options.FeatureColumnName, _options.OutputColumnName, width,
            OodHeadOutputKind.Score, HeadSettings.Write(settings)).WithMaxRowsPerRun(KnnEstimator.MaxRowsPerRun(rows, width, _options.K1));
        var g = HeadGraph.Start(info);
        var model = g.Finish(g.KthLargest(g.Cosines(g.UnitRows(g.Input), "bank_t", bank, width, rows), _options.K1));
        return new OodTestTimeTransformer(_catalog.Context, model, _execution);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        HeadSchema.CheckInput(inputSchema, _options.FeatureColumnName);
        if (_options.Alpha < 1)
        {
            var label = inputSchema.FirstOrDefault(c => c.Name == _options.LabelColumnName);
            if (label.Name is null || label.Kind != SchemaShape.Column.VectorKind.Scalar || !ClassLabels.IsAccepted(label.ItemType))
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema), label.Name is null
                    ? OodErrors.Format(OodErrors.ColumnNotFound, _options.LabelColumnName)
                    : OodErrors.Format(OodErrors.SchemaMismatch, _options.LabelColumnName, OodErrors.ExpectedClassLabel, label.ItemType));
            }

            HeadSchema.CheckInput(inputSchema, _options.LogitsColumnName!);
        }

        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_options.OutputColumnName] = HeadSchema.OutputColumn(_catalog.Context, _options.OutputColumnName, OodHeadOutputKind.Score);
        return new SchemaShape(columns.Values);
    }

    private int CheckInputs(DataViewSchema schema)
    {
        int width = HeadSchema.CheckInput(schema, _options.FeatureColumnName);
        if (_options.Alpha < 1)
        {
            ClassLabels.Column(schema, _options.LabelColumnName!, "schema");
            HeadSchema.CheckInput(schema, _options.LogitsColumnName!);
        }

        return width;
    }
}
