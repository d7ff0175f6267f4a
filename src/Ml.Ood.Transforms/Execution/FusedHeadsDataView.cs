using Microsoft.ML;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// The view that heads side by side return from <c>Transform</c>: the source's columns plus one output column per head,
/// all computed a block of rows at a time by one cursor (<see cref="FusedHeadsCursor"/>). A head's <c>Transform</c> over
/// such a view, when it reads none of the view's scores, joins it (<see cref="Join"/>), so a chain of heads side by side
/// (fitted, loaded, or restored by <c>WithBatchedHeads</c>) is one view. Lazy, like every ML.NET transform: a head's
/// session is asked for only by a cursor that reads its column.
/// </summary>
/// <remarks>
/// The scores are those of the heads one after another, bit for bit: each head still scores the same rows with its own
/// session, and a row's score does not depend on the rows beside it (docs/ARCHITECTURE.md section 4).
/// </remarks>
internal sealed class FusedHeadsDataView : IDataView
{
    private readonly IDataView _source;
    private readonly HeadState[] _heads;

    /// <param name="source">The rows to score.</param>
    /// <param name="outputSchema">The source's schema plus each head's column, in the heads' order.</param>
    /// <param name="heads">
    /// Pure heads (no test-time state), none of which reads another's output: each reads its input column from the source.
    /// </param>
    public FusedHeadsDataView(IDataView source, DataViewSchema outputSchema, IReadOnlyList<HeadState> heads)
    {
        if (outputSchema.Count != source.Schema.Count + heads.Count)
        {
            throw new ArgumentException($"{heads.Count} heads over {source.Schema.Count} columns give a schema of {outputSchema.Count}.", nameof(outputSchema));
        }

        _source = source;
        _heads = [.. heads];
        Schema = outputSchema;
    }

    public DataViewSchema Schema { get; }

    /// <summary>The heads this view scores side by side.</summary>
    public int HeadCount => _heads.Length;

    /// <summary>
    /// Whether a head that reads <paramref name="inputColumnName"/> can join the view: the name must be a source column,
    /// not one of the view's scores (nor a source column one of them hides).
    /// </summary>
    public bool CanJoin(string inputColumnName)
        => Schema.GetColumnOrNull(inputColumnName) is { } column && column.Index < _source.Schema.Count;

    /// <summary>This view with <paramref name="head"/> added after its heads; <paramref name="outputSchema"/> is this view's schema plus its column.</summary>
    public FusedHeadsDataView Join(HeadState head, DataViewSchema outputSchema) => new(_source, outputSchema, [.. _heads, head]);

    public bool CanShuffle => _source.CanShuffle;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int sourceCount = _source.Schema.Count;
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var sourceColumns = needed.Where(i => i < sourceCount).Select(i => _source.Schema[i]).ToList();
        var active = Enumerable.Range(0, _heads.Length).Where(h => needed.Contains(sourceCount + h)).ToList();
        if (active.Count == 0)
        {
            return new PassThroughCursor(Schema, _source.GetRowCursor(sourceColumns, rand));
        }

        var passThrough = sourceColumns.ToArray();
        foreach (int h in active)
        {
            var input = _source.Schema[_heads[h].Info.InputColumnName];
            if (!sourceColumns.Contains(input))
            {
                sourceColumns.Add(input);
            }
        }
        // The cursor holds a reference to each of its heads until it is disposed: an engine that disposes a head meanwhile
        // only gives back its own.
        var acquired = new List<HeadState>();
        try
        {
            var heads = new List<(HeadState State, int OutputIndex)>();
            int rowsPerFill = 1;
            foreach (int h in active)
            {
                _heads[h].Lifetime.Acquire();
                acquired.Add(_heads[h]);
                heads.Add((_heads[h], sourceCount + h));
                rowsPerFill = Math.Max(rowsPerFill, _heads[h].Session().RowsPerFill);
            }
            // A cursor's buffers hold a fill of rows for every pass-through column: no larger than the view, so that a
            // service scoring a few rows per request does not allocate (and clear) a whole fill each time.
            if (_source.GetRowCount() is long count && count < rowsPerFill)
            {
                rowsPerFill = (int)Math.Max(1, count);
            }

            var cursor = _source.GetRowCursor(sourceColumns, rand);
            try
            {
                return new FusedHeadsCursor(Schema, cursor, heads, passThrough, rowsPerFill);
            }
            catch
            {
                cursor.Dispose();
                throw;
            }
        }
        catch
        {
            foreach (var state in acquired)
            {
                state.Lifetime.Release();
            }

            throw;
        }
    }

    /// <summary>A cursor scores its blocks on every core (<see cref="ParallelPlan"/>), so one cursor is the parallel plan.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];
}
