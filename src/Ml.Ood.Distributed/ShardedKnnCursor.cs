using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood;

/// <summary>
/// Reads <see cref="ShardCalls.BlocksInFlight"/> blocks of rows ahead, scores them on every shard at once
/// (<see cref="ShardFanOut"/>), then serves the rows in order with their score and the requested source columns (buffered,
/// as the single head's cursor does).
/// </summary>
internal sealed class ShardedKnnCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _source;
    private readonly ShardFanOut _fanOut;
    private readonly int _blockSize;
    private readonly int _fill;
    private readonly int _width;
    private readonly ValueGetter<VBuffer<float>> _inputGetter;
    private readonly ValueGetter<DataViewRowId> _idGetter;
    private readonly ColumnBuffer?[] _buffers;
    private readonly ColumnBuffer[] _active;
    private readonly float[] _inputs;
    private readonly float[] _scores;
    private readonly DataViewRowId[] _ids;
    private VBuffer<float> _row;
    private int _rowsInBlock;
    private int _rowInBlock = -1;
    private long _position = -1;
    private long _rowsRead;
    private bool _exhausted;

    public ShardedKnnCursor(DataViewSchema schema, DataViewRowCursor source, DataViewSchema.Column input,
        IReadOnlyList<DataViewSchema.Column> passThrough, ShardFanOut fanOut)
    {
        Schema = schema;
        _source = source;
        _fanOut = fanOut;
        _blockSize = fanOut.Calls.BlockSize;
        _fill = _blockSize * fanOut.Calls.BlocksInFlight;
        _width = fanOut.Manifest.InputSize;
        _inputGetter = source.GetGetter<VBuffer<float>>(input);
        _idGetter = source.GetIdGetter();
        _buffers = new ColumnBuffer?[source.Schema.Count];
        foreach (var column in passThrough)
        {
            _buffers[column.Index] = ColumnBuffer.Create(source, column, _fill);
        }

        _active = _buffers.OfType<ColumnBuffer>().ToArray();
        _inputs = new float[_fill * _width];
        _scores = new float[_fill];
        _ids = new DataViewRowId[_fill];
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _position;

    public override long Batch => 0;

    public override bool MoveNext()
    {
        if (_rowInBlock + 1 >= _rowsInBlock)
        {
            if (_exhausted || !FillBlock())
            {
                return false;
            }

            _rowInBlock = -1;
        }
        _rowInBlock++;
        _position++;
        return true;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = _ids[_rowInBlock];

    public override bool IsColumnActive(DataViewSchema.Column column)
        => column.Index == _buffers.Length || (column.Index < _buffers.Length && _buffers[column.Index] is not null);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index == _buffers.Length)
        {
            if (typeof(TValue) != typeof(float))
            {
                throw new InvalidOperationException(OodErrors.Format(OodErrors.GetterTypeMismatch, column.Name, nameof(Single), typeof(TValue).Name));
            }

            ValueGetter<float> score = (ref float value) => value = _scores[_rowInBlock];
            return (ValueGetter<TValue>)(Delegate)score;
        }
        if (!IsColumnActive(column))
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.ColumnNotRequestedByCursor, column.Name));
        }

        return (ValueGetter<TValue>)_buffers[column.Index]!.MakeGetter(() => _rowInBlock);
    }

    private bool FillBlock()
    {
        int rows = 0;
        while (rows < _fill && _source.MoveNext())
        {
            _inputGetter(ref _row);
            ShardedKnnRowMapper.CheckLength(_fanOut.Manifest, _row.Length, _rowsRead);
            _row.CopyTo(_inputs.AsSpan(rows * _width, _width));
            _idGetter(ref _ids[rows]);
            foreach (var buffer in _active)
            {
                buffer.Capture(rows);
            }

            rows++;
            _rowsRead++;
        }
        _exhausted = rows < _fill;
        _rowsInBlock = rows;
        if (rows == 0)
        {
            return false;
        }

        // Blocks in flight at once: each is a pure function of its rows, so they may finish in any order.
        var blocks = new List<Task>();
        for (int first = 0; first < rows; first += _blockSize)
        {
            int count = Math.Min(_blockSize, rows - first);
            blocks.Add(_fanOut.ScoreAsync(_inputs.AsMemory(first * _width, count * _width), count, _scores.AsMemory(first, count)));
        }

        Task.WhenAll(blocks).GetAwaiter().GetResult();
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }

        base.Dispose(disposing);
    }
}
