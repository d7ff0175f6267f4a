using Microsoft.ML;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood;

/// <summary>The lazy view a sharded KNN head's Transform returns: the source's columns plus the score, a block at a time.</summary>
internal sealed class ShardedKnnDataView(IDataView source, DataViewSchema schema, ShardFanOut fanOut) : IDataView
{
    public DataViewSchema Schema => schema;

    public bool CanShuffle => source.CanShuffle;

    private int OutputIndex => source.Schema.Count;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var sourceColumns = needed.Where(i => i < OutputIndex).Select(i => source.Schema[i]).ToList();
        if (!needed.Contains(OutputIndex))
        {
            return new PassThroughCursor(Schema, source.GetRowCursor(sourceColumns, rand));
        }

        var input = source.Schema[fanOut.Manifest.InputColumnName];
        var passThrough = sourceColumns.ToArray();
        if (!needed.Contains(input.Index))
        {
            sourceColumns.Add(input);
        }

        return new ShardedKnnCursor(Schema, source.GetRowCursor(sourceColumns, rand), input, passThrough, fanOut);
    }

    /// <summary>One cursor: each block already runs on every shard at once.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];
}
