using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// Reads a fill of rows ahead from the source, encodes them with as few ONNX Runtime calls as the plan allows, then
/// serves the rows one by one with every output and every requested source column (buffered per block), as
/// <see cref="FusedHeadsCursor"/> does for heads.
/// </summary>
internal sealed class BatchedEncoderCursor : BlockCursor
{
    private readonly EncoderState _state;
    private readonly DataViewSchema.Column[] _inputColumns;
    private readonly ValueGetter<VBuffer<float>>[] _inputGetters;
    private readonly float[][] _inputBlocks;
    private readonly float[][] _outputBlocks;
    private VBuffer<float> _inputRow;
    private bool _released;

    public BatchedEncoderCursor(DataViewSchema schema, DataViewRowCursor source, DataViewSchema.Column[] inputs,
        IReadOnlyList<DataViewSchema.Column> passThrough, EncoderState state, int blockSize)
        : base(schema, source, passThrough, blockSize)
    {
        _state = state;
        _inputColumns = inputs;
        _inputGetters = [.. inputs.Select(source.GetGetter<VBuffer<float>>)];
        _inputBlocks = [.. state.Model.Inputs.Select(t => new float[checked(blockSize * t.RowSize)])];
        _outputBlocks = [.. state.Model.Outputs.Select(t => new float[checked(blockSize * t.RowSize)])];
    }

    public override bool IsColumnActive(DataViewSchema.Column column)
        => column.Index >= SourceColumnCount || IsSourceColumnActive(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < SourceColumnCount)
        {
            return SourceGetter<TValue>(column);
        }

        if (typeof(TValue) != typeof(VBuffer<float>))
        {
            throw new InvalidOperationException(
                OodErrors.Format(OodErrors.GetterTypeMismatch, column.Name, typeof(VBuffer<float>).Name, typeof(TValue).Name));
        }

        int output = column.Index - SourceColumnCount;
        int size = _state.Model.Outputs[output].RowSize;
        float[] block = _outputBlocks[output];
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
        {
            var editor = VBufferEditor.Create(ref value, size);
            block.AsSpan(RowInBlock * size, size).CopyTo(editor.Values);
            value = editor.Commit();
        };
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    protected override void ReadRow(int slot)
    {
        for (int i = 0; i < _inputGetters.Length; i++)
        {
            int size = _state.Model.Inputs[i].RowSize;
            _inputGetters[i](ref _inputRow);
            EncoderRows.CheckLength(_inputColumns[i].Name, _inputRow.Length, size, RowsRead);
            _inputRow.CopyTo(_inputBlocks[i].AsSpan(slot * size, size));
        }
    }

    protected override void ScoreBlock(int rows) => _state.Run(_inputBlocks, rows, _outputBlocks);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            _released = true;
            Source.Dispose();
            _state.Lifetime.Release();
        }
        base.Dispose(disposing);
    }
}
