using Microsoft.ML;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood;

/// <summary>Loading and checking models that contain MlOod heads.</summary>
public static class OodModelCatalog
{
    /// <summary>
    /// Loads a model saved with <c>ml.Model.Save</c>, after checking it, and turns its MlOod heads back into batched
    /// <see cref="OodHeadTransformer"/>s. Use it rather than <c>ml.Model.Load</c> wherever the model serves predictions.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Checks before anything is trusted: every .zip entry's CRC-32 and size (.NET's ZipArchive does not check them),
    /// no two entries of one name, every head's SHA-256 content hash (heads saved by an MlOod version before hashes
    /// load with a warning on the MLContext's log), every head's settings against its graph and against the column
    /// names ML.NET saved, and every head's graph in ONNX Runtime (its session is created here).
    /// </para>
    /// <para>
    /// Safe to share between PredictionEngines in every pattern (one per thread or per request, with or without
    /// <c>OwnsTransformer</c>): the model counts its users, and an engine that disposes it (ML.NET's default) gives back
    /// only its own reference; the last Dispose frees it. Models loaded with plain <c>ml.Model.Load</c> are not: ML.NET's
    /// PredictionEngine disposes the model it was created from (dotnet/machinelearning#5945), so create every engine over
    /// such a model with <c>new PredictionEngineOptions { OwnsTransformer = false }</c>.
    /// </para>
    /// <para>
    /// Files: heads never pass through ML.NET's loader (a stub of the same signature loads in their place). A head of 16 MB
    /// or more (a KNN bank) is kept in ONNX's external-data form, which ONNX Runtime maps rather than copies. Every file
    /// MlOod and ML.NET's loader write for this model lives in a private (0700) temporary folder that is deleted when the
    /// model is disposed or the process exits; a process killed outright leaves it to the next process's sweep.
    /// </para>
    /// </remarks>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="filePath">The .zip file.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <param name="execution">Device, CPU fallback and block size for the loaded heads; null for the catalog's.</param>
    /// <returns>An <see cref="OodHeadTransformer"/> for a model that is one head; else an <see cref="OodLoadedModel"/>.</returns>
    /// <exception cref="InvalidDataException">The file is damaged, not an ML.NET model, or holds a head that fails its checks; the message names the entry or the head.</exception>
    public static ITransformer Load(this OodCatalog catalog, string filePath, out DataViewSchema inputSchema, OodExecutionOptions? execution = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(filePath);
        using var zip = File.OpenRead(filePath);
        return ModelLoader.Load(catalog, zip, out inputSchema, execution);
    }

    /// <summary>Loads a model from a stream; see <see cref="Load(OodCatalog, string, out DataViewSchema, OodExecutionOptions?)"/>.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="stream">The stream holding the .zip.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <param name="execution">Device, CPU fallback and block size for the loaded heads; null for the catalog's.</param>
    /// <exception cref="InvalidDataException">The stream is damaged, not an ML.NET model, or holds a head that fails its checks.</exception>
    public static ITransformer Load(this OodCatalog catalog, Stream stream, out DataViewSchema inputSchema, OodExecutionOptions? execution = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        return ModelLoader.Load(catalog, stream, out inputSchema, execution);
    }

    /// <summary>
    /// Checks a saved model as <see cref="Load(OodCatalog, string, out DataViewSchema, OodExecutionOptions?)"/> does (entry CRCs and sizes,
    /// head hashes, head settings and graphs), without loading it: call it before a plain <c>ml.Model.Load</c>, which
    /// checks none of this.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="filePath">The .zip file.</param>
    /// <returns>What was checked: the entries and every head.</returns>
    /// <exception cref="InvalidDataException">The file is damaged or holds a head that fails its checks; the message names the entry.</exception>
    public static OodModelVerification Verify(this OodCatalog catalog, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(filePath);
        using var zip = File.OpenRead(filePath);
        return ModelLoader.Verify(zip);
    }

    /// <summary>
    /// Returns the model with every MlOod head it contains (recognised by its <c>mlood.*</c> ONNX metadata and its content
    /// hash) replaced by a batched <see cref="OodHeadTransformer"/>; other transformers are kept as they are, so this
    /// returned model shares them with <paramref name="model"/>. Heads use the context's <c>GpuDeviceId</c> and
    /// <c>FallbackToCpu</c>.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="model">A model, typically from <c>ml.Model.Load</c>.</param>
    /// <param name="execution">Device, CPU fallback and block size for the loaded heads; null for the catalog's.</param>
    /// <exception cref="InvalidDataException">A head in the model fails its checks.</exception>
    public static ITransformer WithBatchedHeads(this OodCatalog catalog, ITransformer model, OodExecutionOptions? execution = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        return HeadRestorer.Restore(catalog.Context, model, OodHeadExecution.Resolve(catalog, execution), ownsModel: false, stubs: null,
            ModelLoader.Unhashed(catalog));
    }
}
