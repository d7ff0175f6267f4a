using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Execution;

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

    /// <summary>The input row with the score appended, scored against every shard when it is read for a new position.</summary>
    private sealed class Row : AppendedColumnRow<float>
    {
        private readonly ShardedKnnRowMapper _mapper;
        private readonly ValueGetter<VBuffer<float>>? _getter;
        private readonly float[] _values;
        private VBuffer<float> _row;

        public Row(ShardedKnnRowMapper mapper, DataViewRow input, bool scoreActive)
            : base(mapper.OutputSchema, mapper.OutputIndex, input, scoreActive)
        {
            _mapper = mapper;
            _values = new float[mapper.Manifest.InputSize];
            if (scoreActive)
            {
                _getter = input.GetGetter<VBuffer<float>>(input.Schema[mapper.Manifest.InputColumnName]);
            }
        }

        protected override void Compute(float[] output)
        {
            _getter!(ref _row);
            CheckLength(_mapper.Manifest, _row.Length, Input.Position);
            _row.CopyTo(_values);
            _mapper.FanOut.Score(_values, 1, output);
        }
    }

    private ShardManifest Manifest => fanOut.Manifest;

    private ShardFanOut FanOut => fanOut;
}
