using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Service;

/// <summary>
/// The inputs of one batch as an in-memory view with the model's saved input schema: what one Transform scores. It
/// copies nothing; each cursor reads the list in order.
/// </summary>
internal sealed class InputBatchView(InputLayout layout, IReadOnlyList<ServedInput> inputs) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => layout.Schema;

    public long? GetRowCount() => inputs.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(layout, inputs, columnsNeeded);

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
