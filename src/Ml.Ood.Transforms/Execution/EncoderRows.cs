namespace Ml.Ood.Transforms.Execution;

/// <summary>The per-row check both encoder paths (batched and per row) make on what they read.</summary>
internal static class EncoderRows
{
    /// <summary>
    /// A vector column of declared size n may still hold rows of another length (ML.NET does not check arrays passed
    /// through LoadFromEnumerable or a PredictionEngine): a shorter row would be encoded with stale values.
    /// </summary>
    public static void CheckLength(string column, int actual, int expected, long row)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.EncoderRowLength, column, row, actual, expected));
        }
    }
}
