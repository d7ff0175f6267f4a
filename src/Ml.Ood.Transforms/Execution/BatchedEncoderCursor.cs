using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// Reads a fill of rows ahead from the source, encodes them with as few ONNX Runtime calls as the plan allows, then
/// serves the rows one by one with every output and every requested source column (buffered per block), as
/// <see cref="FusedHeadsCursor"/> does for heads.
/// </summary>
internal sealed class BatchedEncoderCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _source;
    private readonly EncoderState _state;
    private readonly int _blockSize;
    private readonly DataViewSchema.Column[] _inputColumns;
    private readonly ValueGetter<VBuffer<float>>[] _inputGetters;
    private readonly ValueGetter<DataViewRowId> _sourceIdGetter;
    private readonly ColumnBuffer?[] _buffers;
    private readonly ColumnBuffer[] _activeBuffers;
    private readonly float[][] _inputBlocks;
    private readonly float[][] _outputBlocks;
    private readonly DataViewRowId[] _ids;
    private VBuffer<float> _inputRow;
    private int _rowsInBlock;
    private int _rowInBlock = -1;
    private long _position = -1;
    private long _rowsRead;
    private bool _sourceExhausted;
    private bool _released;

    public BatchedEncoderCursor(DataViewSchema schema, DataViewRowCursor source, DataViewSchema.Column[] inputs,
        IReadOnlyList<DataViewSchema.Column> passThrough, EncoderState state, int blockSize)
    {
        Schema = schema;
        _source = source;
        _state = state;
        _blockSize = blockSize;
        _inputColumns = inputs;
        _inputGetters = [.. inputs.Select(source.GetGetter<VBuffer<float>>)];
        _sourceIdGetter = source.GetIdGetter();
        _buffers = new ColumnBuffer?[source.Schema.Count];
        foreach (var column in passThrough)
        {
            _buffers[column.Index] = ColumnBuffer.Create(source, column, blockSize);
        }

        _activeBuffers = _buffers.OfType<ColumnBuffer>().ToArray();
        _inputBlocks = [.. state.Model.Inputs.Select(t => new float[checked(blockSize * t.RowSize)])];
        _outputBlocks = [.. state.Model.Outputs.Select(t => new float[checked(blockSize * t.RowSize)])];
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
        => column.Index >= _buffers.Length || _buffers[column.Index] is not null;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index >= _buffers.Length)
        {
            if (typeof(TValue) != typeof(VBuffer<float>))
            {
                throw new InvalidOperationException(
                    OodErrors.Format(OodErrors.GetterTypeMismatch, column.Name, typeof(VBuffer<float>).Name, typeof(TValue).Name));
            }

            int output = column.Index - _buffers.Length;
            int size = _state.Model.Outputs[output].RowSize;
            float[] block = _outputBlocks[output];
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var editor = VBufferEditor.Create(ref value, size);
                block.AsSpan(_rowInBlock * size, size).CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }
        if (!IsColumnActive(column))
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.ColumnNotRequestedByCursor, column.Name));
        }

        return (ValueGetter<TValue>)_buffers[column.Index]!.MakeGetter(() => _rowInBlock);
    }

    /// <summary>Reads up to a fill of source rows and encodes them; false when the source had none left.</summary>
    private bool FillBlock()
    {
        int rows = 0;
        while (rows < _blockSize && _source.MoveNext())
        {
            for (int i = 0; i < _inputGetters.Length; i++)
            {
                int size = _state.Model.Inputs[i].RowSize;
                _inputGetters[i](ref _inputRow);
                EncoderRows.CheckLength(_inputColumns[i].Name, _inputRow.Length, size, _rowsRead);
                _inputRow.CopyTo(_inputBlocks[i].AsSpan(rows * size, size));
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

        _state.Run(_inputBlocks, rows, _outputBlocks);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            _released = true;
            _source.Dispose();
            _state.Lifetime.Release();
        }
        base.Dispose(disposing);
    }
}
