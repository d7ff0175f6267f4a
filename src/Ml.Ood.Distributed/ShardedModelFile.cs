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

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Reads and checks a file written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">It is not a sharded KNN model, or its values do not add up.</exception>
    public static ShardedModelFile Read(string path)
    {
        ShardedModelFile? file;
        try
        {
            file = JsonSerializer.Deserialize<ShardedModelFile>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.ShardManifestInvalid, path, e.Message), e);
        }

        string? problem = file switch
        {
            null or { Manifest: null } or { Calls: null } => "it has no manifest or no call settings",
            { Format: not FormatName } => $"its format is '{file.Format}', not '{FormatName}'",
            { Version: not CurrentVersion } => $"its version is {file.Version}; this MlOod reads {CurrentVersion}",
            _ => file.Manifest.Problem() ?? CallsProblem(file.Calls),
        };
        return problem is null ? file! : throw new InvalidDataException(OodErrors.Format(OodErrors.ShardManifestInvalid, path, problem));
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
