using System.Numerics;

namespace Ml.Ood.Evaluators.Common;

/// <summary>Partial selection (Hoare's quickselect), expected O(n): the k largest values without a full sort.</summary>
internal static class ScoreSelection
{
    /// <summary>Reorders <paramref name="values"/> so that its first <paramref name="k"/> entries are its k largest (in no order).</summary>
    public static void LargestFirst<T>(Span<T> values, int k)
        where T : struct, IFloatingPointIeee754<T>
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            // Median of three keeps sorted or constant rows from the quadratic case.
            int mid = lo + ((hi - lo) >> 1);
            T pivot = MedianOfThree(values[lo], values[mid], values[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] > pivot)
                {
                    i++;
                }

                while (values[j] < pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            // Now [lo, j] >= pivot >= [i, hi]; keep only the side that holds position k - 1.
            if (k - 1 <= j)
            {
                hi = j;
            }
            else if (k - 1 >= i)
            {
                lo = i;
            }
            else
            {
                return;
            }
        }
    }

    private static T MedianOfThree<T>(T a, T b, T c)
        where T : struct, IFloatingPointIeee754<T> =>
        a < b ? (b < c ? b : T.Max(a, c)) : (a < c ? a : T.Max(b, c));
}
