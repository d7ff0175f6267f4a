using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood;

/// <summary>
/// Reads <see cref="ShardCalls.BlocksInFlight"/> blocks of rows ahead, scores them on every shard at once
/// (<see cref="ShardFanOut"/>), then serves the rows in order with their score and the requested source columns (buffered,
/// as the single head's cursor does).
/// </summary>
internal sealed class ShardedKnnCursor : BlockCursor
{
    private readonly ShardFanOut _fanOut;
    private readonly int _blockSize;
    private readonly int _width;
    private readonly ValueGetter<VBuffer<float>> _inputGetter;
    private readonly float[] _inputs;
    private readonly float[] _scores;
    private VBuffer<float> _row;

    public ShardedKnnCursor(DataViewSchema schema, DataViewRowCursor source, DataViewSchema.Column input,
        IReadOnlyList<DataViewSchema.Column> passThrough, ShardFanOut fanOut)
        : base(schema, source, passThrough, fanOut.Calls.BlockSize * fanOut.Calls.BlocksInFlight)
    {
        _fanOut = fanOut;
        _blockSize = fanOut.Calls.BlockSize;
        int fill = _blockSize * fanOut.Calls.BlocksInFlight;
        _width = fanOut.Manifest.InputSize;
        _inputGetter = source.GetGetter<VBuffer<float>>(input);
        _inputs = new float[fill * _width];
        _scores = new float[fill];
    }

    public override bool IsColumnActive(DataViewSchema.Column column)
        => column.Index == SourceColumnCount || (column.Index < SourceColumnCount && IsSourceColumnActive(column.Index));

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index != SourceColumnCount)
        {
            return SourceGetter<TValue>(column);
        }

        if (typeof(TValue) != typeof(float))
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.GetterTypeMismatch, column.Name, nameof(Single), typeof(TValue).Name));
        }

        ValueGetter<float> score = (ref float value) => value = _scores[RowInBlock];
        return (ValueGetter<TValue>)(Delegate)score;
    }

    protected override void ReadRow(int slot)
    {
        _inputGetter(ref _row);
        ShardedKnnRowMapper.CheckLength(_fanOut.Manifest, _row.Length, RowsRead);
        _row.CopyTo(_inputs.AsSpan(slot * _width, _width));
    }

    protected override void ScoreBlock(int rows)
    {
        // Blocks in flight at once: each is a pure function of its rows, so they may finish in any order.
        var blocks = new List<Task>();
        for (int first = 0; first < rows; first += _blockSize)
        {
            int count = Math.Min(_blockSize, rows - first);
            blocks.Add(_fanOut.ScoreAsync(_inputs.AsMemory(first * _width, count * _width), count, _scores.AsMemory(first, count)));
        }

        Task.WhenAll(blocks).GetAwaiter().GetResult();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Source.Dispose();
        }

        base.Dispose(disposing);
    }
}
