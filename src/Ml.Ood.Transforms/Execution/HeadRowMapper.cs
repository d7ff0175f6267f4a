using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// Scores single rows (a PredictionEngine) with the head's own ONNX Runtime session, one row per call: the same
/// session as the batched path, guarded by the head's lifetime, where ML.NET's OnnxTransformer would hold a second
/// copy of the model and be disposed by the first engine that goes.
/// </summary>
internal sealed class HeadRowMapper : IRowToRowMapper
{
    private readonly HeadState _state;

    public HeadRowMapper(HeadState state, DataViewSchema inputSchema, DataViewSchema outputSchema)
    {
        _state = state;
        InputSchema = inputSchema;
        OutputSchema = outputSchema;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    private int OutputIndex => InputSchema.Count;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = dependingColumns.Where(c => c.Index < OutputIndex).Select(c => InputSchema[c.Index]).ToList();
        if (dependingColumns.Any(c => c.Index == OutputIndex) && needed.All(c => c.Name != _state.Info.InputColumnName))
        {
            needed.Add(InputSchema[_state.Info.InputColumnName]);
        }

        return needed;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        bool scoreActive = activeColumns.Any(c => c.Index == OutputIndex);
        return _state.Info.OutputKind == OodHeadOutputKind.Score
            ? new Row<float>(this, input, scoreActive)
            : new Row<bool>(this, input, scoreActive);
    }

    /// <summary>The input row with the head's column appended, scored when the column is read for a new position.</summary>
    private sealed class Row<TOutput> : AppendedColumnRow<TOutput> where TOutput : unmanaged
    {
        private readonly HeadRowMapper _mapper;
        private readonly ValueGetter<VBuffer<float>>? _vectorGetter;
        private readonly ValueGetter<float>? _scalarGetter;
        private readonly float[] _inputValues;
        private VBuffer<float> _inputRow;

        public Row(HeadRowMapper mapper, DataViewRow input, bool scoreActive)
            : base(mapper.OutputSchema, mapper.OutputIndex, input, scoreActive)
        {
            _mapper = mapper;
            var info = mapper._state.Info;
            _inputValues = new float[info.InputSize];
            if (scoreActive)
            {
                var column = input.Schema[info.InputColumnName];
                if (info.InputIsScalar)
                {
                    _scalarGetter = input.GetGetter<float>(column);
                }
                else
                {
                    _vectorGetter = input.GetGetter<VBuffer<float>>(column);
                }
            }
        }

        protected override void Compute(TOutput[] output)
        {
            var state = _mapper._state;
            var info = state.Info;
            if (_vectorGetter is not null)
            {
                _vectorGetter(ref _inputRow);
                InputRows.CheckLength(info, _inputRow.Length, Input.Position);
                _inputRow.CopyTo(_inputValues);
            }
            else
            {
                _scalarGetter!(ref _inputValues[0]);
            }
            state.Run(_inputValues, 1, output);
            if (InputRows.CountNonFinite(_inputValues, output, 1) > 0)
            {
                state.ReportRow();
            }
        }
    }
}
