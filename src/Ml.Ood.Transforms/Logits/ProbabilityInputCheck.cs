using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Ml.Ood.Transforms;

/// <summary>
/// Warns when a logit head is fitted on what looks like probabilities. ML.NET's calibrated multiclass
/// trainers (LbfgsMaximumEntropy, SdcaMaximumEntropy, LightGbm, ...) write softmax probabilities, not logits,
/// to their Score column; energy and MaxLogit on probabilities lose the information they rely on, silently.
/// </summary>
internal static class ProbabilityInputCheck
{
    private const int RowsToInspect = 64;

    public static void WarnIfProbabilities(IHostEnvironment environment, IDataView data, string columnName, string headName)
    {
        var column = data.Schema[columnName];
        int rows = 0;
        bool allProbabilities = true;
        using (var cursor = data.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> row = default;
            while (allProbabilities && rows < RowsToInspect && cursor.MoveNext())
            {
                getter(ref row);
                var values = row.DenseValues();
                allProbabilities = values.All(v => v >= 0 && v <= 1) && Math.Abs(values.Sum() - 1) < 1e-3;
                rows++;
            }
        }
        if (rows == 0 || !allProbabilities)
            return;
        using var channel = environment.Start("MlOod");
        channel.Warning(MessageSensitivity.None,
            $"The {headName} head reads column '{columnName}', whose first {rows} rows are probabilities (non-negative, summing to 1). " +
            "These heads expect logits (unnormalised class scores): ML.NET's calibrated multiclass trainers write probabilities to Score. " +
            "Use a non-calibrated trainer (e.g. SdcaNonCalibrated) or the logits output of your ONNX model.");
    }
}
