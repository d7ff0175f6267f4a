using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>Serves a source cursor under the head view's schema when the head's column is not asked for.</summary>
internal sealed class PassThroughCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _source;

    public PassThroughCursor(DataViewSchema schema, DataViewRowCursor source)
    {
        Schema = schema;
        _source = source;
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _source.Position;

    public override long Batch => _source.Batch;

    public override bool MoveNext() => _source.MoveNext();

    public override ValueGetter<DataViewRowId> GetIdGetter() => _source.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column)
        => column.Index < _source.Schema.Count && _source.IsColumnActive(_source.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.ColumnNotRequestedByCursor, column.Name));
        }

        return _source.GetGetter<TValue>(_source.Schema[column.Index]);
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
