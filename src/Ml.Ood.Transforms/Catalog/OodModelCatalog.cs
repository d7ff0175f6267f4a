using Microsoft.ML;
using Ml.Ood.Transforms;

namespace Ml.Ood;

/// <summary>Loading models that contain MlOod heads, with the heads batched again.</summary>
public static class OodModelCatalog
{
    /// <summary>
    /// Loads a model saved with <c>ml.Model.Save</c> and turns its MlOod heads back into batched
    /// <see cref="OodHeadTransformer"/>s. <c>ml.Model.Load</c> alone also works, with heads scored row by row.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="filePath">The .zip file.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    public static ITransformer Load(this OodCatalog catalog, string filePath, out DataViewSchema inputSchema, int? blockSize = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var model = catalog.Context.Model.Load(filePath, out inputSchema);
        return HeadRestorer.Restore(catalog.Context, model, OodHeadExecution.Resolve(catalog.Context, null, null, blockSize), ownsModel: true);
    }

    /// <summary>Loads a model from a stream; see <see cref="Load(OodCatalog, string, out DataViewSchema, int?)"/>.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="stream">The stream holding the .zip.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    public static ITransformer Load(this OodCatalog catalog, Stream stream, out DataViewSchema inputSchema, int? blockSize = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var model = catalog.Context.Model.Load(stream, out inputSchema);
        return HeadRestorer.Restore(catalog.Context, model, OodHeadExecution.Resolve(catalog.Context, null, null, blockSize), ownsModel: true);
    }

    /// <summary>
    /// Returns the model with every MlOod head it contains (recognised by its <c>mlood.*</c> ONNX metadata)
    /// replaced by a batched <see cref="OodHeadTransformer"/>; other transformers are kept as they are. Heads
    /// use the context's <c>GpuDeviceId</c> and <c>FallbackToCpu</c>.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="model">A model, typically from <c>ml.Model.Load</c>.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    public static ITransformer WithBatchedHeads(this OodCatalog catalog, ITransformer model, int? blockSize = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        return HeadRestorer.Restore(catalog.Context, model, OodHeadExecution.Resolve(catalog.Context, null, null, blockSize), ownsModel: false);
    }
}
