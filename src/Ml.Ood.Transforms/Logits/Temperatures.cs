namespace Ml.Ood;

/// <summary>The check every temperature of every head makes.</summary>
internal static class Temperatures
{
    /// <summary>Returns <paramref name="temperature"/>, or throws when it is not a positive finite number.</summary>
    public static float Check(float temperature, string parameterName = "temperature")
        => float.IsFinite(temperature) && temperature > 0
            ? temperature
            : throw new ArgumentOutOfRangeException(parameterName, temperature, OodErrors.Format(OodErrors.TemperatureNotPositive, temperature));
}
