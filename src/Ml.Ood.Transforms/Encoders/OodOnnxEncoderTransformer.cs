using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood;

/// <summary>
/// A user's ONNX model (an image encoder) run over blocks of rows: what ML.NET's <c>ApplyOnnxModel</c> computes, with one
/// ONNX Runtime call per block of rows instead of one per row. Made by <c>ml.Ood().ApplyOnnxEncoder</c>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Transform"/> reads <see cref="BlockSize"/> x <see cref="Parallelism"/> rows ahead and encodes them as
/// <see cref="Parallelism"/> concurrent one-thread calls of <see cref="BlockSize"/> rows (one call of
/// <see cref="BlockSize"/> rows on a GPU), as MlOod's heads do (docs/ARCHITECTURE.md section 4); a PredictionEngine
/// encodes its row with the same session. Every output is a vector of Single of the model's shape without its batch
/// dimension, the type ApplyOnnxModel gives it.
/// </para>
/// <para>
/// Shared and disposed as an <see cref="OodHeadTransformer"/> is: it counts its users (its owner, one per
/// PredictionEngine, one per open cursor), and the last <see cref="Dispose"/> frees the session.
/// </para>
/// <para>
/// Saved as ML.NET's own OnnxTransformer over the same model, with MlOod's description and a content hash in the model's
/// <c>metadata_props</c>: <c>ml.Model.Load</c> gives back ML.NET's row-by-row ApplyOnnxModel (same values), and
/// <c>ml.Ood().Load</c> this batched form, after checking the hash.
/// </para>
/// </remarks>
public sealed class OodOnnxEncoderTransformer : ITransformer, IDisposable
{
    private readonly MLContext _context;
    private readonly EncoderState _state;

    internal OodOnnxEncoderTransformer(MLContext context, OnnxEncoderModel model, OodHeadExecution execution)
    {
        _context = context;
        _state = new EncoderState(context, model, execution);
    }

    /// <summary>The columns read: the model's input names.</summary>
    public IReadOnlyList<string> InputColumnNames => _state.Model.InputNames;

    /// <summary>The columns written: the model's output names.</summary>
    public IReadOnlyList<string> OutputColumnNames => _state.Model.OutputNames;

    /// <summary>Rows per ONNX Runtime call in <see cref="Transform"/>.</summary>
    public int BlockSize => _state.Execution.BlockSize;

    /// <summary>ONNX Runtime calls run at once on the CPU (<see cref="OodExecutionOptions.Parallelism"/>).</summary>
    public int Parallelism => _state.Execution.Parallelism;

    /// <summary>The CUDA device the encoder runs on, or <see langword="null"/> for the CPU.</summary>
    public int? GpuDeviceId => _state.Execution.GpuDeviceId;

    /// <summary>Whether a failing GPU falls back to the CPU.</summary>
    public bool FallbackToCpu => _state.Execution.FallbackToCpu;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    internal EncoderState State => _state;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing, or is not a vector of Single with as many
    /// values as the model's input has per row.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        EncoderSchema.CheckInputs(inputSchema, _state.Model);
        return EncoderSchema.Append(inputSchema, _state.Model);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        _state.Lifetime.ThrowIfDisposed();
        return new BatchedEncoderDataView(input, schema, _state);
    }

    /// <inheritdoc/>
    /// <remarks>The mapper holds a reference to the encoder until the encoder is disposed once more.</remarks>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        var outputSchema = GetOutputSchema(inputSchema);
        _state.Lifetime.Acquire();
        return new EncoderRowMapper(_state, inputSchema, outputSchema);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        _state.Lifetime.Enter();
        try
        {
            SavableEncoderForm.Save(_context, _state.Model, ctx);
        }
        finally
        {
            _state.Lifetime.Exit();
        }
    }

    /// <summary>
    /// Gives back one reference (see the remarks): the owner's, or the one a PredictionEngine's mapper took. The last one
    /// frees the ONNX Runtime session.
    /// </summary>
    public void Dispose() => _state.Lifetime.Release();
}
