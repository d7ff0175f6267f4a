using Microsoft.ML;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// The view an encoder's <c>Transform</c> returns: the source's columns plus the encoder's outputs, computed a fill of
/// rows at a time (<see cref="BatchedEncoderCursor"/>), as <see cref="FusedHeadsDataView"/> does for heads. Lazy: the
/// session is asked for only by a cursor that reads an output.
/// </summary>
internal sealed class BatchedEncoderDataView(IDataView source, DataViewSchema outputSchema, EncoderState state) : IDataView
{
    public DataViewSchema Schema { get; } = outputSchema;

    public bool CanShuffle => source.CanShuffle;

    /// <summary>The index of the encoder's first output: appended after the source's columns.</summary>
    private int FirstOutput => source.Schema.Count;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var sourceColumns = needed.Where(i => i < FirstOutput).Select(i => source.Schema[i]).ToList();
        if (!needed.Any(i => i >= FirstOutput))
        {
            return new PassThroughCursor(Schema, source.GetRowCursor(sourceColumns, rand));
        }

        var inputs = state.Model.InputNames.Select(name => source.Schema[name]).ToArray();
        var passThrough = sourceColumns.ToArray();
        sourceColumns.AddRange(inputs.Where(input => !needed.Contains(input.Index)));
        state.Lifetime.Acquire();
        DataViewRowCursor? cursor = null;
        try
        {
            // No larger than the view: a service encoding a few rows per request does not allocate a whole fill each time.
            int rowsPerFill = state.Session().RowsPerFill;
            if (source.GetRowCount() is long count && count < rowsPerFill)
            {
                rowsPerFill = (int)Math.Max(1, count);
            }

            cursor = source.GetRowCursor(sourceColumns, rand);
            return new BatchedEncoderCursor(Schema, cursor, inputs, passThrough, state, rowsPerFill);
        }
        catch
        {
            cursor?.Dispose();
            state.Lifetime.Release();
            throw;
        }
    }

    /// <summary>A cursor encodes its blocks on every core (<see cref="ParallelPlan"/>), so one cursor is the parallel plan.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];
}
