namespace Ml.Ood;

/// <summary>The percentile settings of ReAct, ASH and SCALE: their range and how many features a pruning percentile keeps.</summary>
internal static class FeaturePercentile
{
    /// <summary>Returns <paramref name="percentile"/> if it lies in (0, 100); otherwise throws, naming <paramref name="parameterName"/>.</summary>
    public static double Checked(double percentile, string parameterName = "percentile")
        => percentile is > 0 and < 100
            ? percentile
            : throw new ArgumentOutOfRangeException(parameterName, percentile, OodErrors.PercentileOutOfRange);

    /// <summary>
    /// k = D - round(D p / 100), the largest features ASH and SCALE keep, with numpy's rounding (half to even, as
    /// <c>int(np.round(n * percentile / 100.0))</c> in OpenOOD's ash_net.py and scale_net.py; .NET's default too).
    /// </summary>
    public static int Kept(int features, double percentile)
    {
        int kept = features - (int)Math.Round(features * percentile / 100.0, MidpointRounding.ToEven);
        return kept >= 1
            ? kept
            : throw new ArgumentOutOfRangeException(nameof(percentile), percentile, OodErrors.Format(OodErrors.PercentileKeepsNothing, percentile, features));
    }
}
