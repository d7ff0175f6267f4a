using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood;

/// <summary>Scores single rows (a PredictionEngine): each row is a block of one sent to every shard.</summary>
internal sealed class ShardedKnnRowMapper(ShardFanOut fanOut, DataViewSchema inputSchema, DataViewSchema outputSchema) : IRowToRowMapper
{
    public DataViewSchema InputSchema => inputSchema;

    public DataViewSchema OutputSchema => outputSchema;

    private int OutputIndex => inputSchema.Count;

    /// <summary>A row of another length than the manifest's width (ML.NET does not check arrays it is handed).</summary>
    public static void CheckLength(ShardManifest manifest, int actual, long row)
    {
        if (actual != manifest.InputSize)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.VectorLengthMismatch, manifest.InputColumnName, row, manifest.InputSize, actual, "knn-sharded"));
        }
    }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = dependingColumns.Where(c => c.Index < OutputIndex).Select(c => inputSchema[c.Index]).ToList();
        if (dependingColumns.Any(c => c.Index == OutputIndex) && needed.All(c => c.Name != fanOut.Manifest.InputColumnName))
        {
            needed.Add(inputSchema[fanOut.Manifest.InputColumnName]);
        }

        return needed;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new Row(this, input, activeColumns.Any(c => c.Index == OutputIndex));
    }

    private sealed class Row : DataViewRow
    {
        private readonly ShardedKnnRowMapper _mapper;
        private readonly DataViewRow _input;
        private readonly bool _scoreActive;
        private readonly ValueGetter<VBuffer<float>>? _getter;
        private readonly float[] _values;
        private readonly float[] _score = new float[1];
        private VBuffer<float> _row;
        private long _scoredPosition = -1;

        public Row(ShardedKnnRowMapper mapper, DataViewRow input, bool scoreActive)
        {
            _mapper = mapper;
            _input = input;
            _scoreActive = scoreActive;
            _values = new float[mapper.Manifest.InputSize];
            if (scoreActive)
            {
                _getter = input.GetGetter<VBuffer<float>>(input.Schema[mapper.Manifest.InputColumnName]);
            }
        }

        public override DataViewSchema Schema => _mapper.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column)
            => column.Index == _mapper.OutputIndex ? _scoreActive : _input.IsColumnActive(_input.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _mapper.OutputIndex)
            {
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            }

            if (!_scoreActive)
            {
                throw new InvalidOperationException(OodErrors.Format(OodErrors.ColumnNotRequestedByRow, column.Name));
            }

            if (typeof(TValue) != typeof(float))
            {
                throw new InvalidOperationException(OodErrors.Format(OodErrors.GetterTypeMismatch, column.Name, nameof(Single), typeof(TValue).Name));
            }

            ValueGetter<float> getter = (ref float value) =>
            {
                if (_scoredPosition != _input.Position)
                {
                    _getter!(ref _row);
                    CheckLength(_mapper.Manifest, _row.Length, _input.Position);
                    _row.CopyTo(_values);
                    _mapper.FanOut.Score(_values, 1, _score);
                    _scoredPosition = _input.Position;
                }

                value = _score[0];
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }
    }

    private ShardManifest Manifest => fanOut.Manifest;

    private ShardFanOut FanOut => fanOut;
}
