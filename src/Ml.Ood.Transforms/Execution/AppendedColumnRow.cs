using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// The row of a single-row mapper (a PredictionEngine): the input row with one computed column appended at
/// <c>outputIndex</c> (a head's score or decision, a sharded KNN score), computed once per position when it is read.
/// Every other column is the input's; the appended one refuses to be read when it was not requested, or as another type.
/// </summary>
/// <typeparam name="TOutput">The appended column's type.</typeparam>
internal abstract class AppendedColumnRow<TOutput> : DataViewRow where TOutput : unmanaged
{
    private readonly DataViewSchema _schema;
    private readonly int _outputIndex;
    private readonly TOutput[] _output = new TOutput[1];
    private long _computedPosition = -1;

    /// <param name="schema">The output schema: the input's columns, then the appended one.</param>
    /// <param name="outputIndex">The appended column's index.</param>
    /// <param name="input">The input row.</param>
    /// <param name="outputActive">Whether the appended column was requested.</param>
    protected AppendedColumnRow(DataViewSchema schema, int outputIndex, DataViewRow input, bool outputActive)
    {
        _schema = schema;
        _outputIndex = outputIndex;
        Input = input;
        OutputActive = outputActive;
    }

    /// <summary>The input row.</summary>
    protected DataViewRow Input { get; }

    /// <summary>Whether the appended column was requested.</summary>
    protected bool OutputActive { get; }

    public override DataViewSchema Schema => _schema;

    public override long Position => Input.Position;

    public override long Batch => Input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => Input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column)
        => column.Index == _outputIndex ? OutputActive : Input.IsColumnActive(Input.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index != _outputIndex)
        {
            return Input.GetGetter<TValue>(Input.Schema[column.Index]);
        }

        if (!OutputActive)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.ColumnNotRequestedByRow, column.Name));
        }

        if (typeof(TValue) != typeof(TOutput))
        {
            throw new InvalidOperationException(
                OodErrors.Format(OodErrors.GetterTypeMismatch, column.Name, typeof(TOutput).Name, typeof(TValue).Name));
        }

        ValueGetter<TOutput> getter = (ref TOutput value) =>
        {
            if (_computedPosition != Input.Position)
            {
                Compute(_output);
                _computedPosition = Input.Position;
            }

            value = _output[0];
        };
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    /// <summary>Writes the appended column's value for the input row's current position into <paramref name="output"/>[0].</summary>
    protected abstract void Compute(TOutput[] output);
}
