using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// A test-time head's cursor: reads blocks of exactly its update batch B from the source, scores each with its own live
/// state, in order, then serves the rows one by one with their score and every requested source column (buffered per
/// block). Pure heads are served by <see cref="FusedHeadsCursor"/>.
/// </summary>
internal sealed class BatchedHeadCursor : BlockCursor
{
    private readonly HeadState _state;
    private readonly int _inputSize;
    private readonly ValueGetter<VBuffer<float>>? _vectorGetter;
    private readonly ValueGetter<float>? _scalarGetter;
    private readonly float[] _inputBlock;
    private readonly float[] _outputBlock;
    private readonly TestTimeState _live;
    private VBuffer<float> _inputRow;
    private long _nonFiniteRows;
    private bool _released;

    public BatchedHeadCursor(DataViewSchema schema, DataViewRowCursor source, DataViewSchema.Column input,
        IReadOnlyList<DataViewSchema.Column> passThrough, HeadState state, int blockSize, TestTimeState live)
        : base(schema, source, passThrough, blockSize)
    {
        _live = live;
        _state = state;
        if (input.Type is VectorDataViewType vector)
        {
            _inputSize = vector.Size;
            _vectorGetter = source.GetGetter<VBuffer<float>>(input);
        }
        else
        {
            _inputSize = 1;
            _scalarGetter = source.GetGetter<float>(input);
        }

        _inputBlock = new float[blockSize * _inputSize];
        _outputBlock = new float[blockSize];
    }

    public override bool IsColumnActive(DataViewSchema.Column column)
        => column.Index == SourceColumnCount || (column.Index < SourceColumnCount && IsSourceColumnActive(column.Index));

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index != SourceColumnCount)
        {
            return SourceGetter<TValue>(column);
        }

        if (typeof(TValue) != typeof(float))
        {
            throw new InvalidOperationException(
                OodErrors.Format(OodErrors.GetterTypeMismatch, column.Name, nameof(Single), typeof(TValue).Name));
        }

        ValueGetter<float> getter = (ref float value) => value = _outputBlock[RowInBlock];
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    protected override void ReadRow(int slot)
    {
        if (_vectorGetter is not null)
        {
            _vectorGetter(ref _inputRow);
            InputRows.CheckLength(_state.Info, _inputRow.Length, RowsRead);
            _inputRow.CopyTo(_inputBlock.AsSpan(slot * _inputSize, _inputSize));
        }
        else
        {
            _scalarGetter!(ref _inputBlock[slot]);
        }
    }

    protected override void ScoreBlock(int rows)
    {
        _live.ScoreBatch(_inputBlock.AsSpan(0, rows * _inputSize), rows, _outputBlock);
        _nonFiniteRows += InputRows.CountNonFinite(_inputBlock, _outputBlock, rows);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            _released = true;
            Source.Dispose();
            _live.Dispose();
            _state.ReportCursor(_nonFiniteRows, RowsRead);
            _state.Lifetime.Release();
        }
        base.Dispose(disposing);
    }
}
