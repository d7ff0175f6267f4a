using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Evaluators.Tests;

/// <summary>
/// A view over plain arrays, one per column, of any ML.NET type (keys of every raw type included), with an
/// optional MlOod decision annotation per column: what LoadFromEnumerable cannot always build.
/// </summary>
internal sealed class ArrayDataView : IDataView
{
    private readonly Array[] _values;
    private readonly int _rows;

    public ArrayDataView(params Column[] columns)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var c in columns)
        {
            var annotations = new DataViewSchema.Annotations.Builder();
            if (c.IsDecision)
            {
                OodAnnotations.AddDecision(annotations);
            }

            builder.AddColumn(c.Name, c.Type, annotations.ToAnnotations());
        }

        Schema = builder.ToSchema();
        _values = columns.Select(c => c.Values).ToArray();
        _rows = columns.Length == 0 ? 0 : columns[0].Values.Length;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    /// <summary>One column: its name, type, values (T[] for the type's raw type T) and whether it is marked as an MlOod decision.</summary>
    public sealed record Column(string Name, DataViewType Type, Array Values, bool IsDecision = false);

    private sealed class Cursor(ArrayDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext() => ++_position < view._rows;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            // A getter of the wrong raw type (say uint for a byte key) throws here, as ML.NET's own cursors do.
            var values = (TValue[])view._values[column.Index];
            return (ref TValue value) => value = values[_position];
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
    }
}
