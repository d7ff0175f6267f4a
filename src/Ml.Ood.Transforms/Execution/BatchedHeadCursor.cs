using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// A test-time head's cursor: reads blocks of exactly its update batch B from the source, scores each with its own live
/// state, in order, then serves the rows one by one with their score and every requested source column (buffered per
/// block). Pure heads are served by <see cref="FusedHeadsCursor"/>.
/// </summary>
internal sealed class BatchedHeadCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _source;
    private readonly HeadState _state;
    private readonly int _blockSize;
    private readonly int _inputSize;
    private readonly ValueGetter<VBuffer<float>>? _vectorGetter;
    private readonly ValueGetter<float>? _scalarGetter;
    private readonly ValueGetter<DataViewRowId> _sourceIdGetter;
    private readonly ColumnBuffer?[] _buffers;
    private readonly ColumnBuffer[] _activeBuffers;
    private readonly float[] _inputBlock;
    private readonly float[] _outputBlock;
    private readonly DataViewRowId[] _ids;
    private readonly TestTimeState _live;
    private VBuffer<float> _inputRow;
    private int _rowsInBlock;
    private int _rowInBlock = -1;
    private long _position = -1;
    private bool _sourceExhausted;
    private long _rowsRead;
    private long _nonFiniteRows;
    private bool _released;

    public BatchedHeadCursor(DataViewSchema schema, DataViewRowCursor source, DataViewSchema.Column input,
        IReadOnlyList<DataViewSchema.Column> passThrough, HeadState state, int blockSize, TestTimeState live)
    {
        Schema = schema;
        _live = live;
        _source = source;
        _state = state;
        _blockSize = blockSize;
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
        _sourceIdGetter = source.GetIdGetter();
        _buffers = new ColumnBuffer?[source.Schema.Count];
        foreach (var column in passThrough)
        {
            _buffers[column.Index] = ColumnBuffer.Create(source, column, blockSize);
        }

        _activeBuffers = _buffers.OfType<ColumnBuffer>().ToArray();
        _inputBlock = new float[blockSize * _inputSize];
        _outputBlock = new float[blockSize];
        _ids = new DataViewRowId[blockSize];
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _position;

    public override long Batch => 0;

    public override bool MoveNext()
    {
        if (_rowInBlock + 1 >= _rowsInBlock)
        {
            if (_sourceExhausted || !FillBlock())
            {
                return false;
            }

            _rowInBlock = -1;
        }
        _rowInBlock++;
        _position++;
        return true;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter()
        => (ref DataViewRowId id) => id = _ids[_rowInBlock];

    public override bool IsColumnActive(DataViewSchema.Column column)
        => column.Index == _buffers.Length || (column.Index < _buffers.Length && _buffers[column.Index] is not null);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index == _buffers.Length)
        {
            if (typeof(TValue) != typeof(float))
            {
                throw new InvalidOperationException(
                    OodErrors.Format(OodErrors.GetterTypeMismatch, column.Name, nameof(Single), typeof(TValue).Name));
            }

            ValueGetter<float> getter = (ref float value) => value = _outputBlock[_rowInBlock];
            return (ValueGetter<TValue>)(Delegate)getter;
        }
        if (!IsColumnActive(column))
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.ColumnNotRequestedByCursor, column.Name));
        }

        return (ValueGetter<TValue>)_buffers[column.Index]!.MakeGetter(() => _rowInBlock);
    }

    /// <summary>Reads up to a block of source rows and scores them; false when the source had none left.</summary>
    private bool FillBlock()
    {
        int rows = 0;
        while (rows < _blockSize && _source.MoveNext())
        {
            if (_vectorGetter is not null)
            {
                _vectorGetter(ref _inputRow);
                InputRows.CheckLength(_state.Info, _inputRow.Length, _rowsRead);
                _inputRow.CopyTo(_inputBlock.AsSpan(rows * _inputSize, _inputSize));
            }
            else
            {
                _scalarGetter!(ref _inputBlock[rows]);
            }
            _sourceIdGetter(ref _ids[rows]);
            foreach (var buffer in _activeBuffers)
            {
                buffer.Capture(rows);
            }

            rows++;
            _rowsRead++;
        }
        _sourceExhausted = rows < _blockSize;
        _rowsInBlock = rows;
        if (rows == 0)
        {
            return false;
        }

        _live.ScoreBatch(_inputBlock.AsSpan(0, rows * _inputSize), rows, _outputBlock);
        _nonFiniteRows += InputRows.CountNonFinite(_inputBlock, _outputBlock, rows);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            _released = true;
            _source.Dispose();
            _live.Dispose();
            _state.ReportCursor(_nonFiniteRows, _rowsRead);
            _state.Lifetime.Release();
        }
        base.Dispose(disposing);
    }
}
