using System.Numerics;

namespace Ml.Ood;

/// <summary>Pair counting between two sorted samples by one merge, instead of the all-pairs double loop.</summary>
internal static class SortedCounting
{
    /// <summary>
    /// Twice the number of pairs (a, b), a from <paramref name="low"/> and b from <paramref name="high"/>,
    /// with b &gt; a, plus the number with b == a: the Mann-Whitney count with ties as one half, kept as an
    /// exact integer (at most 2 * 2^31 * 2^31 &lt; 2^63) so that the final division is the only rounding.
    /// </summary>
    public static long TwiceOrderedPairs<T>(ReadOnlySpan<T> low, ReadOnlySpan<T> high)
        where T : struct, IFloatingPointIeee754<T>
    {
        long total = 0;
        int less = 0, lessOrEqual = 0;
        foreach (T a in low)
        {
            while (less < high.Length && high[less] < a)
            {
                less++;
            }

            if (lessOrEqual < less)
            {
                lessOrEqual = less;
            }

            while (lessOrEqual < high.Length && high[lessOrEqual] <= a)
            {
                lessOrEqual++;
            }

            total += 2L * (high.Length - lessOrEqual) + (lessOrEqual - less);
        }

        return total;
    }
}
