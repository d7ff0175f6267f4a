using Microsoft.ML;

namespace Ml.Ood.Service;

/// <summary>
/// A PredictionEngine's insides over the saved schema: an input row, the model's row-to-row mapper and its output row,
/// reused row after row. Not thread-safe: one caller at a time.
/// </summary>
internal sealed class RowEngine : IDisposable
{
    private readonly ITransformer _model;
    private readonly SingleInputRow _input;
    private readonly DataViewRow _output;
    private readonly OutputLayout.Reader _reader;

    public RowEngine(ModelHost host)
    {
        _model = host.Model;
        _input = new SingleInputRow(host.Input);
        // The mapper takes a reference to the loaded model; Dispose gives it back, as a PredictionEngine does.
        var mapper = _model.GetRowToRowMapper(host.Input.Schema);
        try
        {
            _output = mapper.GetRow(_input, host.Output.Columns(mapper.OutputSchema));
            _reader = host.Output.CreateReader(_output);
        }
        catch
        {
            (_model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Scores one input. ML.NET's resizer passes an image of the model's size on as it is and disposes it at the next
    /// row, so the caller disposes the input before anyone else may (MLImage.Dispose is not thread-safe).
    /// </summary>
    public ScoredItem Predict(ServedInput input)
    {
        _input.Set(input);
        return _reader.Read();
    }

    public void Dispose()
    {
        _output.Dispose();
        (_model as IDisposable)?.Dispose();
    }
}
