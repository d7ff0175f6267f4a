using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood;

/// <summary>
/// A fitted OOD head: a small ONNX graph that reads one column and writes one score (or decision) column.
/// <see cref="Transform"/> scores blocks of rows with one ONNX Runtime call each; a PredictionEngine scores single
/// rows with the same session; saving writes only ML.NET's own loadable transformers, so <c>ml.Model.Load</c> needs
/// no registration.
/// </summary>
/// <remarks>
/// <para>
/// Safe to share: any number of PredictionEngines (one per thread or per request, with or without
/// <c>OwnsTransformer</c>) and cursors may use one head at once. The head counts its users: its owner, one per
/// row-to-row mapper (one per PredictionEngine) and one per open cursor. <see cref="Dispose"/> gives one reference
/// back, so a PredictionEngine that disposes the model it was created from (ML.NET's default) returns only the
/// reference its own engine took; the ONNX Runtime session is freed when the last reference goes, after the calls in
/// flight. Afterwards every use throws <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// A row with a NaN or infinite input value scores NaN; a decision head flags a row whose score is NaN or infinite as
/// out-of-distribution. Such rows are counted in <see cref="NonFiniteRowCount"/> and reported on the MLContext's log.
/// A row whose vector is shorter or longer than the column's declared size throws an
/// <see cref="InvalidOperationException"/> that names the column, the row and both lengths.
/// </para>
/// <para>
/// After <c>ml.Model.Load</c> a head is served row by row by ML.NET's OnnxTransformer (correct, slower, and not
/// protected from ML.NET's PredictionEngine disposal: create engines with <c>OwnsTransformer = false</c>);
/// <c>ml.Ood().Load(path, out schema)</c> or <c>ml.Ood().WithBatchedHeads(model)</c> turns it back into this
/// transformer.
/// </para>
/// </remarks>
public sealed class OodHeadTransformer : ITransformer, IDisposable
{
    private readonly MLContext _context;
    private readonly HeadState _state;
    private readonly OodHeadExecution _execution;

    internal OodHeadTransformer(MLContext context, OodHeadModel model, OodHeadExecution execution)
    {
        _context = context;
        _execution = execution;
        _state = new HeadState(context, model, execution);
    }

    /// <summary>What the head computes and from which columns.</summary>
    public OodHeadInfo Head => _state.Info;

    /// <summary>
    /// The head's typed settings (hyperparameters and fitted values), read from its saved metadata, so the same on a fitted
    /// head and on one restored by <c>ml.Ood().Load</c>: e.g. <c>GetSettings&lt;EnergySettings&gt;().Temperature</c>.
    /// </summary>
    /// <typeparam name="TSettings">The settings record of this head's kind.</typeparam>
    /// <exception cref="InvalidOperationException">The head is of another kind.</exception>
    public TSettings GetSettings<TSettings>() where TSettings : OodHeadSettings => HeadSettings.Read<TSettings>(Head);

    /// <summary>Rows scored per ONNX Runtime call by <see cref="Transform"/>.</summary>
    public int BlockSize => _execution.BlockSize;

    /// <summary>ONNX Runtime calls this head runs at once on the CPU (<see cref="OodExecutionOptions.Parallelism"/>).</summary>
    public int Parallelism => _execution.Parallelism;

    /// <summary>The CUDA device the head runs on, or <see langword="null"/> for the CPU.</summary>
    public int? GpuDeviceId => _execution.GpuDeviceId;

    /// <summary>Whether a failing GPU falls back to the CPU.</summary>
    public bool FallbackToCpu => _execution.FallbackToCpu;

    /// <summary>
    /// The rows this head could not score, so far, over every cursor and PredictionEngine: for a score head, rows
    /// whose score came out NaN or infinite (their input held a NaN or infinite value); for a decision head, rows
    /// whose input score was NaN or infinite (flagged out-of-distribution).
    /// </summary>
    public long NonFiniteRowCount => _state.NonFiniteRows;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    internal HeadState State => _state;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        HeadSchema.CheckInput(inputSchema, Head.InputColumnName, Head.InputSize, Head.InputIsScalar);
        return HeadSchema.Append(inputSchema, Head.OutputColumnName, Head.OutputKind);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Over another head's view, when this head reads none of that view's scores, the result is one view for both (and
    /// so on down a chain of heads side by side): one cursor reads each block once for all of them, instead of a cursor
    /// per head stacked on the last. The columns and scores are those of the heads one after another, bit for bit.
    /// </remarks>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        _state.Lifetime.ThrowIfDisposed();
        return input is FusedHeadsDataView heads && heads.CanJoin(Head.InputColumnName)
            ? heads.Join(_state, schema)
            : new FusedHeadsDataView(input, schema, [_state]);
    }

    /// <inheritdoc/>
    /// <remarks>The mapper holds a reference to the head (see the class remarks) until the head is disposed once more.</remarks>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        var outputSchema = GetOutputSchema(inputSchema);
        _state.Lifetime.Acquire();
        return new HeadRowMapper(_state, inputSchema, outputSchema);
    }

    /// <summary>Writes the head as a standalone ONNX model (input: the input column, output: <c>mlood_score</c>
    /// or <c>mlood_decision</c> of shape [batch]; settings in <c>metadata_props</c>).</summary>
    /// <param name="path">The .onnx file to write.</param>
    /// <exception cref="InvalidOperationException">The head's state (a KNN bank) is over ONNX's 2 GB limit: it has no
    /// one-file form; save the pipeline and load it with <c>ml.Ood().Load</c>.</exception>
    public void ExportOnnx(string path)
    {
        _state.Model.Source.EnsureInline();
        using var file = File.Create(path);
        ExportOnnx(file);
    }

    /// <summary>Writes the head as a standalone ONNX model to a stream.</summary>
    /// <param name="stream">The stream to write to.</param>
    /// <exception cref="InvalidOperationException">The head's state is over ONNX's 2 GB limit (see <see cref="ExportOnnx(string)"/>).</exception>
    public void ExportOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Use(() => _state.Model.Source.WriteTo(stream));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => Use(() => SavableHeadForm.Save(_context, _state.Model, ctx));

    /// <summary>
    /// Gives back one reference to the head (see the class remarks): the owner's, or the one a PredictionEngine's
    /// mapper took. The last one frees the ONNX Runtime session and the temporary files of a large loaded head.
    /// </summary>
    public void Dispose() => _state.Lifetime.Release();

    /// <summary>The batched session, created on first use.</summary>
    internal HeadSession Session() => _state.Session();

    private void Use(Action action)
    {
        _state.Lifetime.Enter();
        try
        {
            action();
        }
        finally
        {
            _state.Lifetime.Exit();
        }
    }
}
