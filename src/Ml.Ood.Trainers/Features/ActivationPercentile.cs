namespace Ml.Ood;

/// <summary>
/// numpy's <c>np.percentile(a, p)</c> with its default "linear" method, by selection in place: ReAct's clip value over
/// millions of activations, without sorting them or holding a second copy.
/// </summary>
internal static class ActivationPercentile
{
    /// <summary>
    /// The p-th percentile of <paramref name="values"/> (reordered in place): with i = (n - 1) p / 100, the values of ranks
    /// floor(i) and floor(i) + 1 interpolated by the fraction of i, in double, as numpy's <c>_lerp</c>.
    /// </summary>
    public static double Linear(float[] values, double percentile)
    {
        double index = (values.Length - 1) * (percentile / 100.0);
        int below = (int)Math.Floor(index);
        double fraction = index - below;
        double lower = Select(values, below);
        // Selection leaves every value above rank 'below' to its right: the next rank is their minimum.
        double upper = below + 1 < values.Length ? Min(values.AsSpan(below + 1)) : lower;
        double difference = upper - lower;
        // numpy's _lerp, which interpolates from the nearer end so that the result stays within [lower, upper].
        return fraction >= 0.5 ? upper - difference * (1 - fraction) : lower + difference * fraction;
    }

    /// <summary>The value of rank <paramref name="rank"/> (0-based), placed there with smaller values before it and larger after.</summary>
    internal static float Select(float[] values, int rank)
    {
        int left = 0, right = values.Length - 1;
        while (left < right)
        {
            // The median of three as the pivot; three-way partition so that runs of equal values (zeros after a ReLU) end quickly.
            float pivot = MedianOfThree(values[left], values[left + (right - left) / 2], values[right]);
            int less = left, i = left, greater = right;
            while (i <= greater)
            {
                if (values[i] < pivot)
                {
                    (values[less], values[i]) = (values[i], values[less]);
                    less++;
                    i++;
                }
                else if (values[i] > pivot)
                {
                    (values[i], values[greater]) = (values[greater], values[i]);
                    greater--;
                }
                else
                {
                    i++;
                }
            }
            if (rank < less)
            {
                right = less - 1;
            }
            else if (rank > greater)
            {
                left = greater + 1;
            }
            else
            {
                return pivot;
            }
        }
        return values[rank];
    }

    private static float MedianOfThree(float a, float b, float c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));

    private static float Min(ReadOnlySpan<float> values) => System.Numerics.Tensors.TensorPrimitives.Min(values);
}
