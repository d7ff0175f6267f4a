using Microsoft.ML;
using Microsoft.ML.Runtime;
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
    /// Heads never pass through ML.NET's loader: a stub of the same signature loads in their place. A head of 16 MB or
    /// more (a KNN bank) is kept in ONNX's external-data form in a private temporary folder, which ONNX Runtime maps
    /// rather than copies; the files are unlinked once the session has them (Linux, macOS), or deleted when the head
    /// is disposed (Windows). Dispose the returned model (or its heads) to release them early.
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
        return LoadWithHeadsSetAside(catalog, zip, out inputSchema, blockSize);
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
        return LoadWithHeadsSetAside(catalog, stream, out inputSchema, blockSize);
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

    private static ITransformer LoadWithHeadsSetAside(OodCatalog catalog, Stream zip, out DataViewSchema inputSchema, int? blockSize)
    {
        var context = catalog.Context;
        var execution = OodHeadExecution.Resolve(context, null, null, blockSize);
        using var seekable = zip.CanSeek ? null : TemporaryFiles.CreateAnonymous("zip");
        if (seekable is not null)
        {
            zip.CopyTo(seekable);
            zip = seekable;
        }
        long start = seekable is null ? zip.Position : 0;
        IReadOnlyCollection<string> untaken;
        try
        {
            var model = Load(context, zip, start, out inputSchema, execution, _ => true, out untaken);
            if (untaken.Count == 0)
                return model;
            (model as IDisposable)?.Dispose();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ML.NET could not load a stub in place of the real graph: load every model as saved (its own error, if
            // the .zip itself is at fault, surfaces from that second try).
            using (var channel = catalog.Environment.Start("ml.Ood().Load"))
                channel.Warning(MessageSensitivity.None, $"Loading the MlOod heads apart failed ({e.Message}); loading the model as saved, through ML.NET's loader, which holds more memory for large heads.");
            untaken = [];
        }

        // Some head sits inside a transformer MlOod did not write (an OnnxTransformer over an exported head, say)
        // and cannot be restored: load those as saved, or everything if the first try failed.
        var keep = untaken.ToHashSet(StringComparer.Ordinal);
        return Load(context, zip, start, out inputSchema, execution, entry => keep.Count > 0 && !keep.Contains(entry), out _);
    }

    private static ITransformer Load(MLContext context, Stream zip, long start, out DataViewSchema inputSchema,
        OodHeadExecution execution, Func<string, bool> mayStub, out IReadOnlyCollection<string> untaken)
    {
        zip.Position = start;
        using var rewritten = TemporaryFiles.CreateAnonymous("zip");
        using var stubs = HeadStubs.Rewrite(zip, rewritten, mayStub);
        rewritten.Position = 0;
        var model = context.Model.Load(rewritten, out inputSchema);
        try
        {
            var restored = HeadRestorer.Restore(context, model, execution, ownsModel: true, stubs);
            untaken = [.. stubs.Untaken];
            return restored;
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }
}
