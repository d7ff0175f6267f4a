using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood;

/// <summary>
/// Refuses to fit a logit head on what looks like probabilities. ML.NET's calibrated multiclass trainers
/// (LbfgsMaximumEntropy, SdcaMaximumEntropy, LightGbm, ...) write softmax probabilities, not logits, to their
/// Score column; energy, MSP and MaxLogit on probabilities lose the information they rely on, silently. A warning
/// on MLContext.Log went unseen in a plain console app, so this is an error unless the user opts in.
/// </summary>
internal static class ProbabilityInputCheck
{
    private const int RowsToInspect = 64;

    /// <summary>Throws <see cref="InvalidOperationException"/> when the first rows of the column all look like probabilities.</summary>
    /// <param name="data">The view the head is fitted on.</param>
    /// <param name="columnName">The logits column.</param>
    /// <param name="headName">The head, for the message.</param>
    /// <param name="allowProbabilities">The user's opt-in: skips the check (and the read).</param>
    /// <param name="multiLabel">
    /// Whether the column holds one independent logit per label (JointEnergy): then a row of per-label sigmoid probabilities
    /// is any row whose values all lie in [0, 1], with no sum to check. Logits of absent labels are negative, so 64 rows of
    /// logits that all lie in [0, 1] do not occur in practice.
    /// </param>
    public static void ThrowIfProbabilities(IDataView data, string columnName, string headName, bool allowProbabilities, bool multiLabel = false)
    {
        // Opting in skips the read too: it would run the upstream pipeline over the first rows for nothing.
        if (allowProbabilities)
        {
            return;
        }

        int rows = CountLeadingProbabilityRows(data, columnName, multiLabel, out bool allProbabilities);
        if (rows > 0 && allProbabilities)
        {
            throw new InvalidOperationException(OodErrors.Format(
                multiLabel ? OodErrors.SigmoidProbabilitiesNotLogits : OodErrors.ProbabilitiesNotLogits, columnName, headName, rows));
        }
    }

    private static int CountLeadingProbabilityRows(IDataView data, string columnName, bool multiLabel, out bool allProbabilities)
    {
        var column = data.Schema[columnName];
        int rows = 0;
        allProbabilities = true;
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> row = default;
        while (allProbabilities && rows < RowsToInspect && cursor.MoveNext())
        {
            getter(ref row);
            var values = row.DenseValues();
            allProbabilities = values.All(v => v >= 0 && v <= 1) && (multiLabel || Math.Abs(values.Sum() - 1) < 1e-3);
            rows++;
        }
        return rows;
    }
}
