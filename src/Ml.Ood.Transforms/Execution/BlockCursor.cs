using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// What every MlOod batched cursor does around its scoring: reads a block of source rows ahead (each row's inputs, its id
/// and every requested source column, buffered by type), has the block scored with as few calls as its model allows,
/// then serves the rows one by one. Heads side by side, test-time heads, encoders and the sharded KNN head differ only in
/// what they read per row (<see cref="ReadRow"/>), how they score a block (<see cref="ScoreBlock"/>) and the columns
/// they add.
/// </summary>
internal abstract class BlockCursor : DataViewRowCursor
{
    private readonly ValueGetter<DataViewRowId> _sourceIdGetter;
    private readonly ColumnBuffer?[] _buffers;
    private readonly ColumnBuffer[] _activeBuffers;
    private readonly DataViewRowId[] _ids;
    private readonly int _blockSize;
    private int _rowsInBlock;
    private int _rowInBlock = -1;
    private long _position = -1;
    private bool _sourceExhausted;

    /// <param name="schema">The view's schema: the source's columns, then the cursor's own.</param>
    /// <param name="source">A cursor over the source that reads every input column.</param>
    /// <param name="passThrough">The source columns the caller asked for.</param>
    /// <param name="blockSize">Rows read and scored at once.</param>
    protected BlockCursor(DataViewSchema schema, DataViewRowCursor source, IReadOnlyList<DataViewSchema.Column> passThrough, int blockSize)
    {
        Schema = schema;
        Source = source;
        _blockSize = blockSize;
        _sourceIdGetter = source.GetIdGetter();
        _buffers = new ColumnBuffer?[source.Schema.Count];
        foreach (var column in passThrough)
        {
            _buffers[column.Index] = ColumnBuffer.Create(source, column, blockSize);
        }

        _activeBuffers = _buffers.OfType<ColumnBuffer>().ToArray();
        _ids = new DataViewRowId[blockSize];
    }

    public sealed override DataViewSchema Schema { get; }

    public sealed override long Position => _position;

    public sealed override long Batch => 0;

    /// <summary>The cursor the rows come from; disposed with this one.</summary>
    protected DataViewRowCursor Source { get; }

    /// <summary>The row of the block being served.</summary>
    protected int RowInBlock => _rowInBlock;

    /// <summary>Source rows read so far, over every block: the number a bad row's error gives.</summary>
    protected long RowsRead { get; private set; }

    /// <summary>The source's column count: the cursor's own columns come after.</summary>
    protected int SourceColumnCount => _buffers.Length;

    public sealed override bool MoveNext()
    {
        if (_rowInBlock + 1 >= _rowsInBlock)
        {
            if (_sourceExhausted || !FillBlock())
            {
                return false;
            }

            _rowInBlock = -1;
        }
        _rowInBlock++;
        _position++;
        return true;
    }

    public sealed override ValueGetter<DataViewRowId> GetIdGetter()
        => (ref DataViewRowId id) => id = _ids[_rowInBlock];

    /// <summary>Whether source column <paramref name="index"/> was asked for.</summary>
    protected bool IsSourceColumnActive(int index) => _buffers[index] is not null;

    /// <summary>The getter of a requested source column, served from the block's buffer.</summary>
    protected ValueGetter<TValue> SourceGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index >= _buffers.Length || _buffers[column.Index] is not { } buffer)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.ColumnNotRequestedByCursor, column.Name));
        }

        return (ValueGetter<TValue>)buffer.MakeGetter(() => _rowInBlock);
    }

    /// <summary>Reads the source's current row's inputs into slot <paramref name="slot"/> of the block (and checks them).</summary>
    protected abstract void ReadRow(int slot);

    /// <summary>Scores the block's first <paramref name="rows"/> rows.</summary>
    protected abstract void ScoreBlock(int rows);

    /// <summary>Reads up to a block of source rows and scores them; false when the source had none left.</summary>
    private bool FillBlock()
    {
        int rows = 0;
        while (rows < _blockSize && Source.MoveNext())
        {
            ReadRow(rows);
            _sourceIdGetter(ref _ids[rows]);
            foreach (var buffer in _activeBuffers)
            {
                buffer.Capture(rows);
            }

            rows++;
            RowsRead++;
        }
        _sourceExhausted = rows < _blockSize;
        _rowsInBlock = rows;
        if (rows == 0)
        {
            return false;
        }

        ScoreBlock(rows);
        return true;
    }
}
