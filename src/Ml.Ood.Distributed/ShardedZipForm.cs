using Microsoft.ML;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood;

/// <summary>
/// A sharded KNN transformer inside an ML.NET model zip: saved as MlOod's saved form of a head over a stub of its
/// signature (contract <c>MlOod.ShardedKnn</c>), whose settings hold the manifest and call settings as JSON, sealed with
/// the head's content hash; restored by <c>ml.Ood().LoadSharded(path, clusterClient, out schema)</c> through ml.Ood().Load's
/// checked path (entry CRCs, content hashes, column cross-checks).
/// </summary>
internal static class ShardedZipForm
{
    /// <summary>The head setting that holds <see cref="ShardedModelFile.ToJson"/>.</summary>
    internal const string ManifestParameter = "manifest";

    /// <summary>Saves the transformer's form into the model ML.NET is saving.</summary>
    public static void Save(ShardedKnnTransformer transformer, ModelSaveContext ctx)
    {
        var manifest = transformer.Manifest;
        var info = new OodHeadInfo(ShardedHeadMappingFactory.Kind, manifest.InputColumnName, manifest.OutputColumnName, manifest.InputSize,
            OodHeadOutputKind.Score, new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [ManifestParameter] = new ShardedModelFile(manifest, transformer.Calls).ToJson(),
            });
        // The context only builds ML.NET's transformers of the saved form over the stub's file: nothing of the user's is read.
        ShardedHeadMappingFactory.Save(new MLContext(seed: 0), info, ctx);
    }

    /// <summary>Turns a saved form's stub back into a transformer over the cluster.</summary>
    /// <exception cref="InvalidDataException">The settings are missing, unreadable or disagree with the head's columns.</exception>
    public static ShardedKnnTransformer Restore(OodHeadInfo info, IGrainFactory grains)
    {
        if (!info.Parameters.TryGetValue(ManifestParameter, out string? json))
        {
            throw Invalid(info, $"its setting '{ManifestParameter}' is missing");
        }

        string? problem = ShardedModelFile.TryParse(json, out var file, out var error);
        if (problem is not null)
        {
            throw Invalid(info, problem, error);
        }

        var manifest = file!.Manifest;
        if (manifest.InputColumnName != info.InputColumnName || manifest.OutputColumnName != info.OutputColumnName || manifest.InputSize != info.InputSize)
        {
            throw Invalid(info, $"its manifest reads '{manifest.InputColumnName}'[{manifest.InputSize}] and writes '{manifest.OutputColumnName}', " +
                $"where the head reads '{info.InputColumnName}'[{info.InputSize}] and writes '{info.OutputColumnName}'");
        }

        return new ShardedKnnTransformer(grains, manifest, file.Calls);
    }

    private static InvalidDataException Invalid(OodHeadInfo info, string problem, Exception? inner = null)
        => new(OodErrors.Format(OodErrors.ShardedHeadSettingsInvalid, info.OutputColumnName, problem), inner);
}
