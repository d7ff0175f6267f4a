using Microsoft.ML;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// The view a test-time head's <c>Transform</c> returns: the source's columns plus the head's score, computed a block of
/// exactly its update batch at a time, each cursor with a live clone of the starting state (docs/TEST-TIME-HEADS.md
/// section 2). A pure head's view is <see cref="FusedHeadsDataView"/>. Lazy, like every ML.NET transform: the ONNX
/// Runtime session is asked for only by a cursor that reads the output column.
/// </summary>
internal sealed class BatchedHeadDataView : IDataView
{
    private readonly IDataView _source;
    private readonly HeadState _state;
    private readonly int _blockSize;
    private readonly TestTimeState _starting;

    /// <param name="source">The rows to score.</param>
    /// <param name="outputSchema">The source's schema plus the head's column.</param>
    /// <param name="state">The head.</param>
    /// <param name="blockSize">The head's update batch B: the rows read and scored at once.</param>
    /// <param name="starting">
    /// The head's starting state: each cursor scores its blocks with a clone of it, advanced in cursor order.
    /// </param>
    public BatchedHeadDataView(IDataView source, DataViewSchema outputSchema, HeadState state, int blockSize, TestTimeState starting)
    {
        _source = source;
        _state = state;
        _blockSize = blockSize;
        _starting = starting;
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
        TestTimeState? live = null;
        try
        {
            cursor = _source.GetRowCursor(sourceColumns, rand);
            live = _starting.Clone();
            return new BatchedHeadCursor(Schema, cursor, input, passThrough, _state, _blockSize, live);
        }
        catch
        {
            live?.Dispose();
            cursor?.Dispose();
            _state.Lifetime.Release();
            throw;
        }
    }

    /// <summary>One cursor: it keeps the stream in order.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];
}
