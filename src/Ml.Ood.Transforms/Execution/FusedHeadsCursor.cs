using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// Reads a block of rows ahead from the source and scores it with every head of a <see cref="FusedHeadsDataView"/>, one
/// ONNX Runtime call per head, then serves the rows one by one with their scores and every requested source column
/// (buffered once per block). Heads that read the same column share one copy of its block.
/// </summary>
/// <remarks>
/// One cursor for heads side by side, rather than one cursor per head stacked on the last: stacked, each head's cursor
/// re-buffered every column the heads above it passed through (quadratic in the number of heads), and a service's batch
/// paid for a cursor level per head.
/// </remarks>
internal sealed class FusedHeadsCursor : BlockCursor
{
    private readonly InputSlot[] _inputs;
    private readonly FusedHead[] _heads;
    private readonly FusedHead?[] _headByOutput;
    private readonly FusedHead[] _sideBySide;
    private readonly FusedHead[] _oneByOne;
    private readonly int _sideBySideRows;
    private readonly int _sideBySideDegree;
    private bool _released;

    /// <param name="schema">The view's schema: the source's columns, then one per head of the view.</param>
    /// <param name="source">A cursor over the source that reads every head's input column.</param>
    /// <param name="heads">The heads the caller asked for, each with its output column's index, references taken.</param>
    /// <param name="passThrough">The source columns the caller asked for.</param>
    /// <param name="blockSize">Rows read and scored at once.</param>
    public FusedHeadsCursor(DataViewSchema schema, DataViewRowCursor source, IReadOnlyList<(HeadState State, int OutputIndex)> heads,
        IReadOnlyList<DataViewSchema.Column> passThrough, int blockSize)
        : base(schema, source, passThrough, blockSize)
    {
        var inputs = new List<InputSlot>();
        _heads = new FusedHead[heads.Count];
        _headByOutput = new FusedHead?[schema.Count];
        for (int i = 0; i < heads.Count; i++)
        {
            var (state, outputIndex) = heads[i];
            var column = source.Schema[state.Info.InputColumnName];
            // One slot per column and size: heads of one column share its block (and its first head's length check).
            var slot = inputs.Find(s => s.Column.Index == column.Index && s.Info.InputSize == state.Info.InputSize);
            if (slot is null)
            {
                slot = new InputSlot(source, column, state.Info, blockSize);
                inputs.Add(slot);
            }

            _heads[i] = _headByOutput[outputIndex] = new FusedHead(state, slot, blockSize);
        }

        _inputs = [.. inputs];
        // Small CPU heads (concurrent one-thread calls) may run side by side; large and GPU heads spread their own work.
        _sideBySide = Array.FindAll(_heads, h => h.ConcurrentRuns > 1);
        _oneByOne = Array.FindAll(_heads, h => h.ConcurrentRuns <= 1);
        _sideBySideRows = _sideBySide.Length == 0 ? 0 : _sideBySide.Min(h => h.RowsPerRun);
        _sideBySideDegree = _sideBySide.Length == 0 ? 1 : _sideBySide.Max(h => h.ConcurrentRuns);
    }

    public override bool IsColumnActive(DataViewSchema.Column column)
        => column.Index < SourceColumnCount ? IsSourceColumnActive(column.Index) : column.Index < _headByOutput.Length && _headByOutput[column.Index] is not null;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < SourceColumnCount)
        {
            return SourceGetter<TValue>(column);
        }

        if (!IsColumnActive(column))
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.ColumnNotRequestedByCursor, column.Name));
        }

        return _headByOutput[column.Index]!.MakeGetter<TValue>(column.Name, () => RowInBlock);
    }

    protected override void ReadRow(int slot)
    {
        foreach (var input in _inputs)
        {
            input.Capture(slot, RowsRead);
        }
    }

    /// <summary>
    /// Small heads whose block fits one call each (a service's batch) run side by side, one per core, as a block too
    /// large for one call would run its own calls; the others one after another, each spreading its own work.
    /// </summary>
    protected override void ScoreBlock(int rows)
    {
        if (_sideBySide.Length <= 1 || rows > _sideBySideRows)
        {
            foreach (var head in _heads)
            {
                head.Score(rows);
            }

            return;
        }

        try
        {
            Parallel.ForEach(_sideBySide, new ParallelOptions { MaxDegreeOfParallelism = _sideBySideDegree }, head => head.Score(rows));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // The caller sees what one head alone would have thrown, not Parallel's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }

        foreach (var head in _oneByOne)
        {
            head.Score(rows);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            _released = true;
            Source.Dispose();
            foreach (var head in _heads)
            {
                head.State.ReportCursor(head.NonFiniteRows, RowsRead);
                head.State.Lifetime.Release();
            }
        }
        base.Dispose(disposing);
    }

    /// <summary>One input column's block, read once per row for every head that scores it.</summary>
    private sealed class InputSlot
    {
        private readonly ValueGetter<VBuffer<float>>? _vectorGetter;
        private readonly ValueGetter<float>? _scalarGetter;
        private VBuffer<float> _row;

        public InputSlot(DataViewRow source, DataViewSchema.Column column, OodHeadInfo info, int blockSize)
        {
            Column = column;
            Info = info;
            if (column.Type is VectorDataViewType)
            {
                _vectorGetter = source.GetGetter<VBuffer<float>>(column);
            }
            else
            {
                _scalarGetter = source.GetGetter<float>(column);
            }

            Block = new float[blockSize * info.InputSize];
        }

        public DataViewSchema.Column Column { get; }

        /// <summary>The first head that reads the slot: its column and size name the slot in a length error.</summary>
        public OodHeadInfo Info { get; }

        public float[] Block { get; }

        public void Capture(int row, long rowNumber)
        {
            if (_vectorGetter is not null)
            {
                _vectorGetter(ref _row);
                InputRows.CheckLength(Info, _row.Length, rowNumber);
                _row.CopyTo(Block.AsSpan(row * Info.InputSize, Info.InputSize));
            }
            else
            {
                _scalarGetter!(ref Block[row]);
            }
        }
    }

    /// <summary>One head's output block: scores (float) or decisions (bool), as the head writes.</summary>
    private sealed class FusedHead(HeadState state, InputSlot input, int blockSize)
    {
        private readonly float[]? _scores = state.Info.OutputKind == OodHeadOutputKind.Score ? new float[blockSize] : null;
        private readonly bool[]? _decisions = state.Info.OutputKind == OodHeadOutputKind.Score ? null : new bool[blockSize];

        public HeadState State { get; } = state;

        public int ConcurrentRuns { get; } = state.Session().ConcurrentRuns;

        public int RowsPerRun { get; } = state.Session().RowsPerRun;

        public long NonFiniteRows { get; private set; }

        public void Score(int rows)
        {
            if (_scores is not null)
            {
                State.Run(input.Block, rows, _scores);
                NonFiniteRows += InputRows.CountNonFinite(input.Block, _scores, rows);
            }
            else
            {
                State.Run(input.Block, rows, _decisions!);
                NonFiniteRows += InputRows.CountNonFinite(input.Block, _decisions!, rows);
            }
        }

        public ValueGetter<TValue> MakeGetter<TValue>(string column, Func<int> currentRow)
        {
            Delegate getter = _scores is not null
                ? (ValueGetter<float>)((ref float value) => value = _scores[currentRow()])
                : (ValueGetter<bool>)((ref bool value) => value = _decisions![currentRow()]);
            return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(OodErrors.Format(
                OodErrors.GetterTypeMismatch, column, _scores is not null ? nameof(Single) : nameof(Boolean), typeof(TValue).Name));
        }
    }
}
