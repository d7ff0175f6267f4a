using System.Buffers;
using System.Numerics.Tensors;

namespace Ml.Ood;

/// <summary>
/// The logit scores as span functions, for callers outside ML.NET pipelines. Same formulas and sign as the
/// heads: higher means more likely out-of-distribution. Rows are laid out row-major, <c>classCount</c> wide.
/// </summary>
public static class LogitScores
{
    /// <summary>Energy of one row: -T * log sum_c exp(z_c / T) (Liu et al., NeurIPS 2020).</summary>
    /// <param name="logits">The row's logits.</param>
    /// <param name="temperature">T &gt; 0.</param>
    public static float Energy(ReadOnlySpan<float> logits, float temperature = 1f)
    {
        CheckRow(logits);
        if (!float.IsFinite(temperature) || temperature <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, OodErrors.Format(OodErrors.TemperatureNotPositive, temperature));
        }

        float max = TensorPrimitives.Max(logits);
        return (float)(-temperature * (max / temperature + Math.Log(SumExpShifted(logits, max, temperature))));
    }

    /// <summary>Negated maximum softmax probability of one row: -max_c softmax(z)_c (Hendrycks and Gimpel, ICLR 2017).</summary>
    /// <param name="logits">The row's logits.</param>
    public static float MaxSoftmaxProbability(ReadOnlySpan<float> logits)
    {
        CheckRow(logits);
        // max softmax = exp(max - lse) = 1 / sum exp(z - max): no overflow for any magnitude.
        return (float)(-1.0 / SumExpShifted(logits, TensorPrimitives.Max(logits), 1f));
    }

    /// <summary>Negated maximum logit of one row: -max_c z_c (Hendrycks et al., ICML 2022).</summary>
    /// <param name="logits">The row's logits.</param>
    public static float MaxLogit(ReadOnlySpan<float> logits)
    {
        CheckRow(logits);
        return -TensorPrimitives.Max(logits);
    }

    /// <summary>Energy of every row of a row-major [rows, classCount] block.</summary>
    /// <param name="logits">The block, rows * classCount values.</param>
    /// <param name="classCount">The width of a row.</param>
    /// <param name="destination">One score per row.</param>
    /// <param name="temperature">T &gt; 0.</param>
    public static void Energy(ReadOnlySpan<float> logits, int classCount, Span<float> destination, float temperature = 1f)
    {
        int rows = CheckBlock(logits, classCount, destination);
        for (int r = 0; r < rows; r++)
        {
            destination[r] = Energy(logits.Slice(r * classCount, classCount), temperature);
        }
    }

    /// <summary>Negated maximum softmax probability of every row of a row-major block.</summary>
    /// <param name="logits">The block, rows * classCount values.</param>
    /// <param name="classCount">The width of a row.</param>
    /// <param name="destination">One score per row.</param>
    public static void MaxSoftmaxProbability(ReadOnlySpan<float> logits, int classCount, Span<float> destination)
    {
        int rows = CheckBlock(logits, classCount, destination);
        for (int r = 0; r < rows; r++)
        {
            destination[r] = MaxSoftmaxProbability(logits.Slice(r * classCount, classCount));
        }
    }

    /// <summary>Negated maximum logit of every row of a row-major block.</summary>
    /// <param name="logits">The block, rows * classCount values.</param>
    /// <param name="classCount">The width of a row.</param>
    /// <param name="destination">One score per row.</param>
    public static void MaxLogit(ReadOnlySpan<float> logits, int classCount, Span<float> destination)
    {
        int rows = CheckBlock(logits, classCount, destination);
        for (int r = 0; r < rows; r++)
        {
            destination[r] = MaxLogit(logits.Slice(r * classCount, classCount));
        }
    }

    /// <summary>sum_c exp((z_c - max) / T), vectorised; every exponent is at most 0, so nothing overflows.</summary>
    private static double SumExpShifted(ReadOnlySpan<float> logits, float max, float temperature)
    {
        float[]? rented = null;
        Span<float> work = logits.Length <= 512 ? stackalloc float[logits.Length] : (rented = ArrayPool<float>.Shared.Rent(logits.Length));
        work = work[..logits.Length];
        TensorPrimitives.Subtract(logits, max, work);
        if (temperature != 1f)
        {
            TensorPrimitives.Divide(work, temperature, work);
        }

        TensorPrimitives.Exp(work, work);
        double sum = TensorPrimitives.Sum<float>(work);
        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
        }

        return sum;
    }

    private static void CheckRow(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException(OodErrors.LogitsRowEmpty, nameof(logits));
        }
    }

    private static int CheckBlock(ReadOnlySpan<float> logits, int classCount, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        if (logits.Length % classCount != 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.LogitsBlockNotMultiple, logits.Length, classCount), nameof(logits));
        }

        int rows = logits.Length / classCount;
        if (destination.Length < rows)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.LogitsDestinationTooShort, destination.Length, rows), nameof(destination));
        }

        return rows;
    }
}
