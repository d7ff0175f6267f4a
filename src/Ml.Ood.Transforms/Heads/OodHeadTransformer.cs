using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Transforms;

/// <summary>
/// A fitted OOD head: a small ONNX graph that reads one column and writes one score (or decision) column.
/// <see cref="Transform"/> scores blocks of rows with one ONNX Runtime call each; a PredictionEngine scores
/// single rows through ML.NET's OnnxTransformer over the same graph; saving writes only ML.NET's own
/// loadable transformers, so <c>ml.Model.Load</c> needs no registration.
/// </summary>
/// <remarks>
/// After <c>ml.Model.Load</c> a head is served row by row by ML.NET's OnnxTransformer (correct, slower);
/// <c>ml.Ood().Load(path, out schema)</c> or <c>ml.Ood().WithBatchedHeads(model)</c> turns it back into this
/// batched transformer.
/// </remarks>
public sealed class OodHeadTransformer : ITransformer, IDisposable
{
    private readonly MLContext _context;
    private readonly OodHeadModel _model;
    private readonly OodHeadExecution _execution;
    private readonly Lock _sessionLock = new();
    private HeadSession? _session;
    private readonly Lock _savableLock = new();
    private TransformerChain<ITransformer>? _savableForm;
    private bool _ownsSavableForm;
    private volatile bool _disposed;

    internal OodHeadTransformer(MLContext context, OodHeadModel model, OodHeadExecution execution,
        TransformerChain<ITransformer>? savableForm = null)
    {
        _context = context;
        _model = model;
        _execution = execution;
        _savableForm = savableForm;
    }

    /// <summary>What the head computes and from which columns.</summary>
    public OodHeadInfo Head => _model.Info;

    /// <summary>Rows scored per ONNX Runtime call by <see cref="Transform"/>.</summary>
    public int BlockSize => _execution.BlockSize;

    /// <summary>The CUDA device the head runs on, or <see langword="null"/> for the CPU.</summary>
    public int? GpuDeviceId => _execution.GpuDeviceId;

    /// <summary>Whether a failing GPU falls back to the CPU.</summary>
    public bool FallbackToCpu => _execution.FallbackToCpu;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        HeadSchema.CheckInput(inputSchema, Head.InputColumnName, Head.InputSize, Head.InputIsScalar);
        return HeadSchema.Append(inputSchema, Head.OutputColumnName, Head.OutputKind);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        return new BatchedHeadDataView(input, schema, Session, Head, BlockSize);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        HeadSchema.CheckInput(inputSchema, Head.InputColumnName, Head.InputSize, Head.InputIsScalar);
        return ((ITransformer)SavableForm()).GetRowToRowMapper(inputSchema);
    }

    /// <summary>Writes the head as a standalone ONNX model (input: the input column, output: <c>mlood_score</c>
    /// or <c>mlood_decision</c> of shape [batch]; settings in <c>metadata_props</c>).</summary>
    /// <param name="path">The .onnx file to write.</param>
    public void ExportOnnx(string path)
    {
        using var file = File.Create(path);
        ExportOnnx(file);
    }

    /// <summary>Writes the head as a standalone ONNX model to a stream.</summary>
    /// <param name="stream">The stream to write to.</param>
    public void ExportOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _model.Source.WriteTo(stream);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)SavableForm()).Save(ctx);

    /// <summary>
    /// Releases the ONNX Runtime sessions (the batched one and, if this head built it, the per-row one) and the
    /// temporary file of a head loaded with <c>ml.Ood().Load</c>.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        lock (_sessionLock)
        {
            _session?.Dispose();
            _session = null;
        }
        lock (_savableLock)
        {
            // A savable form handed in by WithBatchedHeads belongs to the caller's model.
            if (_ownsSavableForm)
            {
                foreach (var part in _savableForm?.OfType<IDisposable>() ?? [])
                    part.Dispose();
            }
            _savableForm = null;
        }
        _model.Dispose();
    }

    /// <summary>
    /// The batched session, created on first use. Not a Lazy: a failure (a full disk while writing a large head's
    /// files, a GPU that is busy) must not stick to the head for good.
    /// </summary>
    internal HeadSession Session()
    {
        lock (_sessionLock)
        {
            if (_disposed)
                throw new ObjectDisposedException(nameof(OodHeadTransformer),
                    $"The {Head.Kind} head writing '{Head.OutputColumnName}' was disposed. A PredictionEngine disposes the model it was " +
                    "created from when it is disposed, unless created with ownsTransformer: false.");
            return _session ??= new HeadSession(_model, _execution);
        }
    }

    private TransformerChain<ITransformer> SavableForm()
    {
        lock (_savableLock)
        {
            // Built on first use: it holds a second ONNX Runtime session, worth avoiding for large heads.
            if (_savableForm is null)
            {
                _savableForm = SavableHeadForm.Build(_context, _model, _execution);
                _ownsSavableForm = true;
            }
            return _savableForm;
        }
    }
}
