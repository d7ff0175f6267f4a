using Microsoft.ML;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood;

/// <summary>
/// Runs a user's ONNX model (an image encoder that writes embeddings and logits) over blocks of rows: the batched
/// counterpart of ML.NET's <c>ApplyOnnxModel</c>, same columns, same values. Made by <c>ml.Ood().ApplyOnnxEncoder</c>.
/// </summary>
/// <remarks>
/// <para>Estimator characteristics:</para>
/// <list type="table">
/// <item><term>Needs data to fit</term><description>No (the model is read and checked when the estimator is made).</description></item>
/// <item><term>Input columns</term><description>One known-size vector of Single per model input, named as the input, with as
/// many values as the input has per row (e.g. 784 for [batch, 1, 28, 28]).</description></item>
/// <item><term>Output columns</term><description>One vector of Single per output named, of the output's shape without the batch
/// dimension.</description></item>
/// <item><term>Package</term><description>Ml.Ood.Transforms, with Microsoft.ML.OnnxRuntime (CPU) or
/// Microsoft.ML.OnnxRuntime.Gpu.</description></item>
/// </list>
/// <para>
/// The model's inputs and outputs must be float32 with a dynamic first (batch) dimension and fixed others; a model exported
/// with a fixed batch of 1 is refused, naming the input or output and its shape (re-export it with a dynamic batch axis,
/// or keep ApplyOnnxModel). The model must be self-contained (no external data files).
/// </para>
/// </remarks>
public sealed class OodOnnxEncoderEstimator : IEstimator<OodOnnxEncoderTransformer>
{
    private readonly OodCatalog _catalog;
    private readonly OnnxEncoderModel _model;
    private readonly OodHeadExecution _execution;

    internal OodOnnxEncoderEstimator(OodCatalog catalog, string[] outputColumnNames, string[] inputColumnNames, string modelFile,
        OodExecutionOptions? execution)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFile);
        CheckNames(outputColumnNames, "output", nameof(outputColumnNames));
        CheckNames(inputColumnNames, "input", nameof(inputColumnNames));
        _catalog = catalog;
        _execution = OodHeadExecution.Resolve(catalog, execution);
        OnnxRuntimeCheck.EnsureAvailable();
        _model = OnnxEncoderModel.FromFile(modelFile, [.. inputColumnNames], [.. outputColumnNames]);
    }

    /// <summary>The columns written: the model's output names.</summary>
    public IReadOnlyList<string> OutputColumnNames => _model.OutputNames;

    /// <summary>The columns read: the model's input names.</summary>
    public IReadOnlyList<string> InputColumnNames => _model.InputNames;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or of another type or size.</exception>
    public OodOnnxEncoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        EncoderSchema.CheckInputs(input.Schema, _model);
        return new OodOnnxEncoderTransformer(_catalog.Context, _model, _execution);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        EncoderSchema.CheckInputs(inputSchema, _model);
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var output in EncoderSchema.OutputColumns(_catalog.Context, _model))
        {
            columns[output.Name] = output;
        }

        return new SchemaShape(columns.Values);
    }

    private static void CheckNames(string[] names, string side, string parameter)
    {
        ArgumentNullException.ThrowIfNull(names, parameter);
        if (names.Length == 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.EncoderNoColumns, side), parameter);
        }

        foreach (string name in names)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name, parameter);
        }

        var twice = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.EncoderColumnTwice, side, twice.Key), parameter);
        }
    }
}
