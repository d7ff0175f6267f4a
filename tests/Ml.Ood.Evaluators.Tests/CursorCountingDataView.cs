using Microsoft.ML;

namespace Ml.Ood.Evaluators.Tests;

/// <summary>Wraps a view and counts the cursors opened on it, to check that an evaluator reads the data once.</summary>
internal sealed class CursorCountingDataView(IDataView inner) : IDataView
{
    public int CursorCount { get; private set; }

    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        CursorCount++;
        return inner.GetRowCursor(columnsNeeded, rand);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        CursorCount += n;
        return inner.GetRowCursorSet(columnsNeeded, n, rand);
    }
}
