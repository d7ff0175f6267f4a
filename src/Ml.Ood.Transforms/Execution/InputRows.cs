namespace Ml.Ood.Transforms.Execution;

/// <summary>The per-row checks both execution paths (batched and per row) make on what they read and write.</summary>
internal static class InputRows
{
    /// <summary>
    /// A vector column of declared size n may still hold rows of another length (ML.NET does not check arrays
    /// passed through LoadFromEnumerable or a PredictionEngine): a shorter row would be scored with stale values.
    /// </summary>
    public static void CheckLength(OodHeadInfo info, int actual, long row)
    {
        if (actual != info.InputSize)
        {
            throw new InvalidOperationException(
                OodErrors.Format(OodErrors.VectorLengthMismatch, info.InputColumnName, row, info.InputSize, actual, info.Kind));
        }
    }

    /// <summary>
    /// Rows that cannot be scored: a non-finite score (a NaN or infinite input) for score heads; a non-finite input
    /// score for decisions, which flag such rows out-of-distribution.
    /// </summary>
    public static int CountNonFinite<TOutput>(ReadOnlySpan<float> input, TOutput[] output, int rows)
    {
        ReadOnlySpan<float> values = output is float[] scores ? scores.AsSpan(0, rows) : input[..rows];
        int count = 0;
        foreach (float value in values)
        {
            if (!float.IsFinite(value))
            {
                count++;
            }
        }
        return count;
    }
}
