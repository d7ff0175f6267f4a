using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Persistence;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood;

/// <summary>
/// A fitted test-time OOD head (OODD): its score for a row depends on the rows scored before it in the same stream.
/// Higher means more likely out-of-distribution. It holds a starting state that never changes; <see cref="Transform"/>
/// scores a view's rows in cursor order, every cursor from that starting state, so two passes give identical scores.
/// </summary>
/// <remarks>
/// <para>
/// The stream is cut into update batches of exactly <see cref="UpdateBatch"/> rows (the last may be short) before
/// anything else; <see cref="OodExecutionOptions.BlockSize"/> only splits the ONNX Runtime calls inside an update batch,
/// so it never changes a score. A view gives one cursor however many ML.NET asks for, so parallel cursors cannot
/// reorder the stream.
/// </para>
/// <para>
/// Serving: a PredictionEngine would either race on one shared state or score each row against the starting state alone
/// (silently stateless), so <see cref="GetRowToRowMapper"/> throws <see cref="NotSupportedException"/>; create an
/// <see cref="OodStreamingScorer"/> with <c>ml.Ood().CreateStreamingScorer(model)</c> instead.
/// </para>
/// <para>
/// Saving writes the starting state and the settings. <c>ml.Ood().Load</c> restores this transformer; plain
/// <c>ml.Model.Load</c> loads the model, but its mapping throws at the first row. <see cref="ExportOnnx(string)"/> throws:
/// the state machine is not an ONNX graph. A row with a NaN or infinite value scores NaN (a Threshold flags it) and
/// never enters the state. Design: docs/TEST-TIME-HEADS.md.
/// </para>
/// </remarks>
public sealed class OodTestTimeTransformer : ITransformer, IDisposable
{
    private readonly MLContext _context;
    private readonly HeadState _head;
    private readonly TestTimeState _starting;
    private readonly OodHeadExecution _execution;

    internal OodTestTimeTransformer(MLContext context, OodHeadModel model, OodHeadExecution execution)
    {
        _context = context;
        _execution = execution;
        var head = TestTimeStates.StartHead(context, model, execution);
        _head = head.Head;
        _starting = head.Starting;
    }

    /// <summary>What the head computes and from which columns.</summary>
    public OodHeadInfo Head => _head.Info;

    /// <summary>The head's typed settings, e.g. <c>GetSettings&lt;OoddSettings&gt;().Capacity</c>.</summary>
    /// <typeparam name="TSettings">The settings record of this head's kind.</typeparam>
    /// <exception cref="InvalidOperationException">The head is of another kind.</exception>
    public TSettings GetSettings<TSettings>() where TSettings : OodHeadSettings => HeadSettings.Read<TSettings>(Head);

    /// <summary>B: the rows scored between state updates (a setting of the head: it changes the scores).</summary>
    public int UpdateBatch => _starting.UpdateBatch;

    /// <summary>The most rows per ONNX Runtime call inside one update batch (speed and memory only).</summary>
    public int BlockSize => _execution.BlockSize;

    /// <summary>The rows scored NaN so far (a NaN or infinite input, or no state to compare with yet), over every cursor.</summary>
    public long NonFiniteRowCount => _head.NonFiniteRows;

    /// <inheritdoc/>
    /// <remarks>True so that ML.NET reaches <see cref="GetRowToRowMapper"/>, which refuses with the reason.</remarks>
    public bool IsRowToRowMapper => true;

    internal TestTimeState Starting => _starting;

    internal HeadState HeadState => _head;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        HeadSchema.CheckInput(inputSchema, Head.InputColumnName, Head.InputSize, Head.InputIsScalar);
        return HeadSchema.Append(inputSchema, Head.OutputColumnName, Head.OutputKind);
    }

    /// <inheritdoc/>
    /// <remarks>Rows are scored in cursor order; each cursor starts from the fitted starting state.</remarks>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        _head.Lifetime.ThrowIfDisposed();
        return new BatchedHeadDataView(input, schema, _head, UpdateBatch, _starting);
    }

    /// <summary>Always throws: a test-time head has no row-to-row form (see the class remarks).</summary>
    /// <exception cref="NotSupportedException">Always, naming the head and pointing to the streaming scorer.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        => throw new NotSupportedException(OodErrors.Format(OodErrors.TestTimeNoRowToRow, Head.Kind, Head.OutputColumnName));

    /// <summary>Always throws: the state machine of a test-time head is not an ONNX graph.</summary>
    /// <param name="path">Unused.</param>
    /// <exception cref="NotSupportedException">Always, naming the head.</exception>
    public void ExportOnnx(string path)
        => throw new NotSupportedException(OodErrors.Format(OodErrors.TestTimeNoExport, Head.Kind, Head.OutputColumnName));

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        _head.Lifetime.Enter();
        try
        {
            SavableHeadForm.Save(_context, _head.Model, ctx, testTime: true);
        }
        finally
        {
            _head.Lifetime.Exit();
        }
    }

    /// <summary>Gives back the owner's reference; the last user (a cursor, a streaming scorer) frees the sessions.</summary>
    public void Dispose() => _head.Lifetime.Release();
}
