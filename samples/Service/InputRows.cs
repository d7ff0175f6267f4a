using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Service;

/// <summary>
/// The inputs of the batch a worker is scoring, as an in-memory view with the model's saved input schema. One per worker,
/// refilled per batch: the model's Transform over it is built once (binding twenty transformers' schemas per batch cost
/// more than some heads' scoring), and each cursor reads the batch that was current when it was made. It copies nothing.
/// </summary>
internal sealed class InputBatchView(InputLayout layout) : IDataView
{
    private IReadOnlyList<ServedInput> _inputs = [];

    public bool CanShuffle => false;

    public DataViewSchema Schema => layout.Schema;

    /// <summary>Makes <paramref name="inputs"/> the rows of the cursors made from now on.</summary>
    public void Set(IReadOnlyList<ServedInput> inputs) => _inputs = inputs;

    /// <summary>The batch's size: MlOod's cursors size their buffers to it.</summary>
    public long? GetRowCount() => _inputs.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(layout, _inputs, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(InputLayout layout, IReadOnlyList<ServedInput> inputs, IEnumerable<DataViewSchema.Column> needed) : DataViewRowCursor
    {
        private readonly HashSet<int> _active = needed.Select(c => c.Index).ToHashSet();
        private int _row = -1;

        public override DataViewSchema Schema => layout.Schema;

        public override long Position => _row;

        public override long Batch => 0;

        public override bool MoveNext() => ++_row < inputs.Count;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => layout.Getter<TValue>(column, () => inputs[_row]);

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_row, 0);
    }
}

/// <summary>
/// One input row that a row-to-row mapper reads, refilled per prediction: what ML.NET's PredictionEngine keeps inside
/// (its input row and the model's mapper over it), here over the saved schema so that any model can be served.
/// </summary>
internal sealed class SingleInputRow(InputLayout layout) : DataViewRow
{
    private ServedInput? _current;
    private long _position = -1;

    public override DataViewSchema Schema => layout.Schema;

    public override long Position => _position;

    public override long Batch => 0;

    /// <summary>Makes <paramref name="input"/> the row's value; a new position, so that mappers read it afresh.</summary>
    public void Set(ServedInput input)
    {
        _current = input;
        _position++;
    }

    public override bool IsColumnActive(DataViewSchema.Column column) => true;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        => layout.Getter<TValue>(column, () => _current ?? throw new InvalidOperationException("No input was set."));

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
}
