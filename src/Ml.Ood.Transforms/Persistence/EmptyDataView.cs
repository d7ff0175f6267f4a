using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// A view with a schema and no rows. ML.NET's trivial estimators (ApplyOnnxModel, CustomMapping, ...) need a
/// view to "fit" on, though they only read its schema; this lets a head build its saved form from a schema.
/// </summary>
internal sealed class EmptyDataView(DataViewSchema schema) : IDataView
{
    public DataViewSchema Schema { get; } = schema;

    public bool CanShuffle => true;

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [new Cursor(Schema)];

    private sealed class Cursor(DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema { get; } = schema;

        public override long Position => -1;

        public override long Batch => 0;

        public override bool MoveNext() => false;

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => throw new InvalidOperationException(OodErrors.EmptyViewHasNoRows);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            => throw new InvalidOperationException(OodErrors.EmptyViewHasNoRows);
    }
}
