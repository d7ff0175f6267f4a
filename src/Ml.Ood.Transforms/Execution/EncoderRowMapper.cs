using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// Encodes single rows (a PredictionEngine) with the encoder's own session, one row per call, guarded by the
/// encoder's lifetime, as <see cref="HeadRowMapper"/> does for a head. Every output of a row is computed by one call,
/// when the first of them is read for a new position.
/// </summary>
internal sealed class EncoderRowMapper(EncoderState state, DataViewSchema inputSchema, DataViewSchema outputSchema) : IRowToRowMapper
{
    public DataViewSchema InputSchema { get; } = inputSchema;

    public DataViewSchema OutputSchema { get; } = outputSchema;

    private int FirstOutput => InputSchema.Count;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = dependingColumns.Where(c => c.Index < FirstOutput).Select(c => InputSchema[c.Index]).ToList();
        if (dependingColumns.Any(c => c.Index >= FirstOutput))
        {
            needed.AddRange(state.Model.InputNames.Select(name => InputSchema[name]).Where(input => needed.All(c => c.Index != input.Index)));
        }

        return needed;
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new Row(this, input, activeColumns.Any(c => c.Index >= FirstOutput));
    }

    /// <summary>The input row with the encoder's outputs appended.</summary>
    private sealed class Row : DataViewRow
    {
        private readonly EncoderRowMapper _mapper;
        private readonly DataViewRow _input;
        private readonly bool _outputsActive;
        private readonly string[] _inputNames;
        private readonly ValueGetter<VBuffer<float>>[] _getters = [];
        private readonly float[][] _inputs;
        private readonly float[][] _outputs;
        private VBuffer<float> _inputRow;
        private long _encodedPosition = -1;

        public Row(EncoderRowMapper mapper, DataViewRow input, bool outputsActive)
        {
            _mapper = mapper;
            _input = input;
            _outputsActive = outputsActive;
            var model = mapper.State.Model;
            _inputNames = model.InputNames;
            _inputs = [.. model.Inputs.Select(t => new float[t.RowSize])];
            _outputs = [.. model.Outputs.Select(t => new float[t.RowSize])];
            if (outputsActive)
            {
                _getters = [.. _inputNames.Select(name => input.GetGetter<VBuffer<float>>(input.Schema[name]))];
            }
        }

        public override DataViewSchema Schema => _mapper.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column)
            => column.Index >= _mapper.FirstOutput ? _outputsActive : _input.IsColumnActive(_input.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _mapper.FirstOutput)
            {
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            }

            if (!_outputsActive)
            {
                throw new InvalidOperationException(OodErrors.Format(OodErrors.ColumnNotRequestedByRow, column.Name));
            }

            if (typeof(TValue) != typeof(VBuffer<float>))
            {
                throw new InvalidOperationException(
                    OodErrors.Format(OodErrors.GetterTypeMismatch, column.Name, typeof(VBuffer<float>).Name, typeof(TValue).Name));
            }

            float[] output = _outputs[column.Index - _mapper.FirstOutput];
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                if (_encodedPosition != _input.Position)
                {
                    Encode();
                }

                var editor = VBufferEditor.Create(ref value, output.Length);
                output.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        private void Encode()
        {
            for (int i = 0; i < _getters.Length; i++)
            {
                _getters[i](ref _inputRow);
                EncoderRows.CheckLength(_inputNames[i], _inputRow.Length, _inputs[i].Length, _input.Position);
                _inputRow.CopyTo(_inputs[i]);
            }
            _mapper.State.Run(_inputs, 1, _outputs);
            _encodedPosition = _input.Position;
        }
    }

    private EncoderState State => state;
}
