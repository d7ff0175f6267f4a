using System.Globalization;

namespace Ml.Ood;

/// <summary>What a head's output column holds.</summary>
public enum OodHeadOutputKind
{
    /// <summary>A <see cref="float"/> OOD score, higher meaning more likely out-of-distribution.</summary>
    Score,

    /// <summary>A <see cref="bool"/> decision, <see langword="true"/> meaning out-of-distribution.</summary>
    Decision,
}

/// <summary>
/// Describes a fitted OOD head: which formula, which columns, and its settings. It is stored in the head's
/// ONNX graph as <c>metadata_props</c> (<c>mlood.*</c>), so that a head can be recognised after loading.
/// </summary>
public sealed class OodHeadInfo
{
    internal const string Prefix = "mlood.";
    internal const string HeadKey = "mlood.head";
    internal const string VersionKey = "mlood.version";
    internal const string InputColumnKey = "mlood.input_column";
    internal const string OutputColumnKey = "mlood.output_column";
    internal const string InputSizeKey = "mlood.input_size";
    internal const string InputKindKey = "mlood.input_kind";
    internal const string OutputKindKey = "mlood.output_kind";
    internal const string ParameterPrefix = "mlood.param.";
    internal const string MaxRowsPerRunKey = "mlood.max_rows_per_run";
    internal const int CurrentVersion = 1;

    internal OodHeadInfo(string kind, string inputColumnName, string outputColumnName, int inputSize,
        OodHeadOutputKind outputKind, IReadOnlyDictionary<string, string> parameters, bool inputIsScalar = false)
    {
        InputIsScalar = inputIsScalar;
        Kind = kind;
        InputColumnName = inputColumnName;
        OutputColumnName = outputColumnName;
        InputSize = inputSize;
        OutputKind = outputKind;
        Parameters = parameters;
    }

    /// <summary>The formula, e.g. <c>energy</c>, <c>msp</c>, <c>maxlogit</c>.</summary>
    public string Kind { get; }

    /// <summary>The column the head reads: a known-size vector of <see cref="float"/>, or a <see cref="float"/> when <see cref="InputIsScalar"/>.</summary>
    public string InputColumnName { get; }

    /// <summary>Whether the head reads a scalar <see cref="float"/> (e.g. a score to threshold) rather than a vector.</summary>
    public bool InputIsScalar { get; }

    /// <summary>The column the head writes.</summary>
    public string OutputColumnName { get; }

    /// <summary>The size of the input vector the head was fitted for; 1 for a scalar input.</summary>
    public int InputSize { get; }

    /// <summary>Whether the head writes a score or a decision.</summary>
    public OodHeadOutputKind OutputKind { get; }

    /// <summary>The head's settings (e.g. <c>temperature</c>), as invariant-culture strings.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>
    /// The most rows one ONNX Runtime call may score, set by heads whose work space grows with the fitted state
    /// (KNN: one similarity per bank row); <see langword="null"/> when only the block size limits it.
    /// </summary>
    internal int? MaxRowsPerRun { get; init; }

    /// <summary>A copy with <see cref="MaxRowsPerRun"/> set.</summary>
    internal OodHeadInfo WithMaxRowsPerRun(int rows)
        => new(Kind, InputColumnName, OutputColumnName, InputSize, OutputKind, Parameters, InputIsScalar) { MaxRowsPerRun = rows };

    /// <summary>Reads a setting as a <see cref="float"/>.</summary>
    /// <param name="name">The setting's name, e.g. <c>temperature</c>.</param>
    public float GetSingle(string name) => float.Parse(Parameters[name], CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override string ToString()
        => $"{Kind}({InputColumnName}[{InputSize}] -> {OutputColumnName}" +
           string.Concat(Parameters.Select(p => $", {p.Key}={p.Value}")) + ")";

    internal IEnumerable<KeyValuePair<string, string>> ToMetadata()
    {
        yield return new(HeadKey, Kind);
        yield return new(VersionKey, CurrentVersion.ToString(CultureInfo.InvariantCulture));
        yield return new(InputColumnKey, InputColumnName);
        yield return new(OutputColumnKey, OutputColumnName);
        yield return new(InputSizeKey, InputSize.ToString(CultureInfo.InvariantCulture));
        yield return new(InputKindKey, InputIsScalar ? "scalar" : "vector");
        yield return new(OutputKindKey, OutputKind.ToString());
        foreach (var parameter in Parameters)
        {
            yield return new(ParameterPrefix + parameter.Key, parameter.Value);
        }

        if (MaxRowsPerRun is int rows)
        {
            yield return new(MaxRowsPerRunKey, rows.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Rebuilds the description from a graph's metadata; <see langword="null"/> when it is not an MlOod head.</summary>
    /// <param name="metadata">The graph's <c>metadata_props</c>.</param>
    /// <param name="source">What holds the graph, for the messages (e.g. "The MlOod head in entry 'X'").</param>
    /// <exception cref="InvalidDataException">A setting every head has is missing or unreadable.</exception>
    internal static OodHeadInfo? FromMetadata(IReadOnlyDictionary<string, string> metadata, string source = OodErrors.HeadSubject)
    {
        if (!metadata.TryGetValue(HeadKey, out string? kind))
        {
            return null;
        }

        int version = PositiveInt(metadata, VersionKey, source);
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.HeadVersionTooNew, source, kind, version, CurrentVersion));
        }

        var parameters = metadata
            .Where(p => p.Key.StartsWith(ParameterPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[ParameterPrefix.Length..], p => p.Value, StringComparer.Ordinal);
        string outputKind = Required(metadata, OutputKindKey, source);
        if (!Enum.TryParse(outputKind, ignoreCase: false, out OodHeadOutputKind parsedKind) || !Enum.IsDefined(parsedKind) || outputKind != parsedKind.ToString())
        {
            throw Unreadable(source, OutputKindKey, outputKind);
        }

        string inputKind = metadata.TryGetValue(InputKindKey, out string? k) ? k : "vector";
        if (inputKind is not ("scalar" or "vector"))
        {
            throw Unreadable(source, InputKindKey, inputKind);
        }

        return new OodHeadInfo(kind, Required(metadata, InputColumnKey, source), Required(metadata, OutputColumnKey, source),
            PositiveInt(metadata, InputSizeKey, source), parsedKind, parameters, inputKind == "scalar")
        {
            MaxRowsPerRun = metadata.ContainsKey(MaxRowsPerRunKey) ? PositiveInt(metadata, MaxRowsPerRunKey, source) : null,
        };
    }

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key, string source)
        => metadata.TryGetValue(key, out string? value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new InvalidDataException(OodErrors.Format(OodErrors.HeadMetadataMissing, source, key));

    private static int PositiveInt(IReadOnlyDictionary<string, string> metadata, string key, string source)
    {
        string value = Required(metadata, key, source);
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed > 0
            ? parsed
            : throw Unreadable(source, key, value);
    }

    private static InvalidDataException Unreadable(string source, string key, string value)
        => new(OodErrors.Format(OodErrors.HeadMetadataUnreadable, source, key, value));
}
