using Microsoft.ML;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// The view a head's <c>Transform</c> returns: the source's columns plus the head's output column, which
/// is computed a block of rows at a time (docs/ARCHITECTURE.md section 4). Lazy, like every ML.NET transform: the ONNX Runtime
/// session is asked for only by a cursor that reads the output column.
/// </summary>
internal sealed class BatchedHeadDataView : IDataView
{
    private readonly IDataView _source;
    private readonly HeadState _state;

    public BatchedHeadDataView(IDataView source, DataViewSchema outputSchema, HeadState state)
    {
        _source = source;
        _state = state;
        Schema = outputSchema;
    }

    private OodHeadInfo Info => _state.Info;

    public DataViewSchema Schema { get; }

    public bool CanShuffle => _source.CanShuffle;

    /// <summary>The index of the head's output column: appended after the source's columns.</summary>
    private int OutputIndex => _source.Schema.Count;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var sourceColumns = needed.Where(i => i < OutputIndex).Select(i => _source.Schema[i]).ToList();
        if (!needed.Contains(OutputIndex))
        {
            return new PassThroughCursor(Schema, _source.GetRowCursor(sourceColumns, rand));
        }

        var input = _source.Schema[Info.InputColumnName];
        var passThrough = sourceColumns.ToArray();
        if (!needed.Contains(input.Index))
        {
            sourceColumns.Add(input);
        }
        // The cursor holds a reference to the head until it is disposed: an engine that disposes the head meanwhile
        // only gives back its own.
        _state.Lifetime.Acquire();
        DataViewRowCursor? cursor = null;
        try
        {
            // A cursor's buffers hold a fill of rows for every pass-through column: no larger than the view, so that a
            // service scoring a few rows per request does not allocate (and clear) a whole fill per head each time.
            int rowsPerFill = _state.Session().RowsPerFill;
            if (_source.GetRowCount() is long count && count < rowsPerFill)
            {
                rowsPerFill = (int)Math.Max(1, count);
            }

            cursor = _source.GetRowCursor(sourceColumns, rand);
            return Info.OutputKind == OodHeadOutputKind.Score
                ? new BatchedHeadCursor<float>(Schema, cursor, input, passThrough, _state, rowsPerFill)
                : new BatchedHeadCursor<bool>(Schema, cursor, input, passThrough, _state, rowsPerFill);
        }
        catch
        {
            cursor?.Dispose();
            _state.Lifetime.Release();
            throw;
        }
    }

    /// <summary>A cursor scores its blocks on every core (<see cref="ParallelPlan"/>), so one cursor is the parallel plan.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];
}
