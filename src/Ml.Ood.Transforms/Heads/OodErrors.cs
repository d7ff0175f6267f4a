namespace Ml.Ood.Transforms;

/// <summary>
/// The messages MlOod's heads throw, in ML.NET's wording, kept in one place so that tests can assert on them.
/// Formats take the column name first.
/// </summary>
public static class OodErrors
{
    /// <summary>The input column is absent. {0}: column.</summary>
    public const string ColumnNotFound = "Could not find input column '{0}'";

    /// <summary>The input column has the wrong type. {0}: column, {1}: expected, {2}: actual.</summary>
    public const string SchemaMismatch = "Schema mismatch for input column '{0}': expected {1}, got {2}";

    /// <summary>The description of the type every head reads.</summary>
    public const string ExpectedFloatVector = "known-size vector of Single";

    /// <summary>The description of the type every head reads, with its size. {0}: size.</summary>
    public const string ExpectedFloatVectorOfSize = "vector of Single of size {0}";

    /// <summary>A temperature that is not a positive finite number. {0}: the value.</summary>
    public const string TemperatureNotPositive = "The temperature must be a positive finite number; got {0}.";

    internal static string Format(string format, params object[] args)
        => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
}
