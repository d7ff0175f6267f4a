using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ml.Ood;

/// <summary>A saved sharded KNN head: its manifest and call settings as JSON, with a format name and version.</summary>
internal sealed record ShardedModelFile(
    [property: JsonPropertyName("manifest")] ShardManifest Manifest,
    [property: JsonPropertyName("calls")] ShardCalls Calls)
{
    private const string FormatName = "mlood.knn-sharded";
    private const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    [JsonPropertyName("format")]
    public string Format { get; init; } = FormatName;

    [JsonPropertyName("version")]
    public int Version { get; init; } = CurrentVersion;

    private static readonly JsonSerializerOptions CompactJson = new() { WriteIndented = false };

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>The file as one line of JSON (the settings of the saved form in an ML.NET model zip).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CompactJson);

    /// <summary>Reads and checks a file written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">It is not a sharded KNN model, or its values do not add up.</exception>
    public static ShardedModelFile Read(string path)
    {
        if (IsZip(path))
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.ShardManifestInvalid, path,
                "it is an ML.NET model zip; load it with ml.Ood().LoadSharded(path, clusterClient, out schema)"));
        }

        string? problem = TryParse(File.ReadAllText(path), out var file, out var error);
        return problem is null ? file! : throw new InvalidDataException(OodErrors.Format(OodErrors.ShardManifestInvalid, path, problem), error);
    }

    /// <summary>Reads and checks the JSON of <see cref="Write"/> or <see cref="ToJson"/>.</summary>
    /// <returns>What is wrong with it; <see langword="null"/> when <paramref name="file"/> holds it.</returns>
    public static string? TryParse(string json, out ShardedModelFile? file, out JsonException? error)
    {
        error = null;
        try
        {
            file = JsonSerializer.Deserialize<ShardedModelFile>(json);
        }
        catch (JsonException e)
        {
            file = null;
            error = e;
            return e.Message;
        }

        return file switch
        {
            null or { Manifest: null } or { Calls: null } => "it has no manifest or no call settings",
            { Format: not FormatName } => $"its format is '{file.Format}', not '{FormatName}'",
            { Version: not CurrentVersion } => $"its version is {file.Version}; this MlOod reads {CurrentVersion}",
            _ => file.Manifest.Problem() ?? CallsProblem(file.Calls),
        };
    }

    private static bool IsZip(string path)
    {
        Span<byte> start = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(start, 4, throwOnEndOfStream: false) == 4 && start.SequenceEqual("PK\u0003\u0004"u8);
    }

    private static string? CallsProblem(ShardCalls calls)
    {
        try
        {
            calls.Validate();
            return null;
        }
        catch (ArgumentOutOfRangeException e)
        {
            return e.Message;
        }
    }
}
