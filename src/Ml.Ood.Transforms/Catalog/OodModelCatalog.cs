using Microsoft.ML;
using Ml.Ood.Transforms;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood;

/// <summary>Loading models that contain MlOod heads, with the heads batched again.</summary>
public static class OodModelCatalog
{
    /// <summary>
    /// Loads a model saved with <c>ml.Model.Save</c> and turns its MlOod heads back into batched
    /// <see cref="OodHeadTransformer"/>s. <c>ml.Model.Load</c> alone also works, with heads scored row by row.
    /// </summary>
    /// <remarks>
    /// Heads never pass through ML.NET's loader: their ONNX models are set aside in temporary files (removed when
    /// the head is disposed, or when the process ends) and large ones are memory-mapped by ONNX Runtime, so a
    /// loaded KNN head holds its bank once. Dispose the returned model (or its heads) to release them early.
    /// </remarks>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="filePath">The .zip file.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    public static ITransformer Load(this OodCatalog catalog, string filePath, out DataViewSchema inputSchema, int? blockSize = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(filePath);
        using var zip = File.OpenRead(filePath);
        return LoadWithHeadsSetAside(catalog.Context, zip, out inputSchema, blockSize);
    }

    /// <summary>Loads a model from a stream; see <see cref="Load(OodCatalog, string, out DataViewSchema, int?)"/>.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="stream">The stream holding the .zip.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    public static ITransformer Load(this OodCatalog catalog, Stream stream, out DataViewSchema inputSchema, int? blockSize = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        return LoadWithHeadsSetAside(catalog.Context, stream, out inputSchema, blockSize);
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

    private static ITransformer LoadWithHeadsSetAside(MLContext context, Stream zip, out DataViewSchema inputSchema, int? blockSize)
    {
        var execution = OodHeadExecution.Resolve(context, null, null, blockSize);
        using var seekable = zip.CanSeek ? null : TemporaryFile("zip");
        if (seekable is not null)
        {
            zip.CopyTo(seekable);
            zip = seekable;
        }
        long start = seekable is null ? zip.Position : 0;
        var model = Load(context, zip, start, out inputSchema, execution, keep: null, out var untaken);
        if (untaken.Count == 0)
            return model;

        // A head inside a transformer MlOod did not write (say an OnnxTransformer over an exported head) cannot be
        // restored; load it as saved.
        (model as IDisposable)?.Dispose();
        return Load(context, zip, start, out inputSchema, execution, untaken, out _);
    }

    private static ITransformer Load(MLContext context, Stream zip, long start, out DataViewSchema inputSchema,
        OodHeadExecution execution, IReadOnlyCollection<string>? keep, out IReadOnlyCollection<string> untaken)
    {
        zip.Position = start;
        using var rewritten = TemporaryFile("zip");
        using var stubs = HeadStubs.Rewrite(zip, rewritten, keep);
        rewritten.Position = 0;
        var model = context.Model.Load(rewritten, out inputSchema);
        var restored = HeadRestorer.Restore(context, model, execution, ownsModel: true, stubs);
        untaken = [.. stubs.Untaken];
        return restored;
    }

    private static FileStream TemporaryFile(string extension)
        => new(Path.Combine(Path.GetTempPath(), $"mlood-{Guid.NewGuid():N}.{extension}"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16, FileOptions.DeleteOnClose);
}
