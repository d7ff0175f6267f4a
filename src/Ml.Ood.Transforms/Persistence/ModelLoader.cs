using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>What <c>ml.Ood().Load</c> and <c>ml.Ood().Verify</c> do: check the .zip, set the heads aside, load the rest with ML.NET.</summary>
internal static class ModelLoader
{
    public static ITransformer Load(OodCatalog catalog, Stream zip, out DataViewSchema inputSchema, OodExecutionOptions? options)
    {
        var context = catalog.Context;
        var execution = OodHeadExecution.Resolve(catalog, options);
        using var seekable = zip.CanSeek ? null : TemporaryFiles.CreateAnonymous("zip");
        if (seekable is not null)
        {
            zip.CopyTo(seekable);
            zip = seekable;
        }
        long start = seekable is null ? zip.Position : 0;
        var unhashed = Unhashed(catalog);
        var folder = PrivateFolder.Create();
        try
        {
            var loading = LoadingContext.Create(context, folder);
            var model = LoadOnce(context, loading, zip, start, out inputSchema, execution, _ => true, unhashed, out var untaken);
            if (untaken.Count > 0)
            {
                // Some head sits inside a transformer MlOod did not write (an OnnxTransformer over an exported head, say):
                // load those entries as saved.
                (model as IDisposable)?.Dispose();
                var keep = untaken.ToHashSet(StringComparer.Ordinal);
                model = LoadOnce(context, loading, zip, start, out inputSchema, execution, entry => !keep.Contains(entry), unhashed, out _);
            }
            return OodLoadedModel.Wrap(model, folder);
        }
        catch
        {
            folder.TryDelete();
            throw;
        }
    }

    public static OodModelVerification Verify(Stream zip)
    {
        using var rewritten = TemporaryFiles.CreateAnonymous("zip");
        var unhashed = new HashSet<string>(StringComparer.Ordinal);
        using var stubs = HeadStubs.Rewrite(zip, rewritten, _ => true, entry => unhashed.Add(entry));
        var heads = new List<OodVerifiedHead>();
        foreach (var head in stubs.Heads)
        {
            var info = head.Model.Info;
            try
            {
                using var session = new HeadSession(head.Model, OodHeadExecution.Cpu);
            }
            catch (OnnxRuntimeException e)
            {
                throw InvalidHead(info, head.Entry, e);
            }
            heads.Add(new OodVerifiedHead(head.Entry, info.Kind, info.InputColumnName, info.OutputColumnName, head.Hash == HeadIntegrity.Result.Verified));
        }
        return new OodModelVerification(stubs.EntryCount, heads);
    }

    /// <summary>Logs, once per head, that a head has no content hash to check.</summary>
    public static Action<string> Unhashed(OodCatalog catalog)
    {
        var told = new HashSet<string>(StringComparer.Ordinal);
        return head =>
        {
            lock (told)
            {
                if (!told.Add(head))
                {
                    return;
                }
            }
            using var channel = catalog.Environment.Start("ml.Ood().Load");
            channel.Warning(MessageSensitivity.None,
                $"The MlOod head {head} has no content hash (it was saved by an MlOod version without them): its .zip entry's CRC, " +
                "settings and graph were checked, but not its content. Save the model again to add one.");
        };
    }

    public static InvalidDataException InvalidHead(OodHeadInfo info, string where, Exception inner)
        => new(OodErrors.Format(OodErrors.HeadNotValidOnnxAt, info.InputColumnName, info.Kind, info.OutputColumnName, where, inner.Message), inner);

    private static ITransformer LoadOnce(MLContext context, MLContext loading, Stream zip, long start, out DataViewSchema inputSchema,
        OodHeadExecution execution, Func<string, bool> mayStub, Action<string> unhashed, out IReadOnlyCollection<string> untaken)
    {
        zip.Position = start;
        using var rewritten = TemporaryFiles.CreateAnonymous("zip");
        using var stubs = HeadStubs.Rewrite(zip, rewritten, mayStub, unhashed);
        rewritten.Position = 0;
        ITransformer model;
        try
        {
            using (LargeHeadMappingFactory.EnterRestoring())
            {
                model = loading.Model.Load(rewritten, out inputSchema);
            }
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.ModelFileNotLoadable, Innermost(e).Message), e);
        }
        try
        {
            var restored = HeadRestorer.Restore(context, model, execution, ownsModel: true, stubs, unhashed);
            untaken = [.. stubs.Untaken];
            return restored;
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// ML.NET reports a model it cannot decode with FormatException, InvalidOperationException, ArgumentException,
    /// a protobuf or end-of-stream IOException and others, often inside TargetInvocationExceptions from its component
    /// catalog; all mean "this file is not a model I can read". What is not the file's fault passes through: memory, a
    /// missing native library or assembly, and the file system's own errors (a full disk, a missing file).
    /// </summary>
    private static bool IsDecodeFailure(Exception e) => Innermost(e) switch
    {
        OutOfMemoryException or DllNotFoundException or TypeInitializationException => false,
        FileNotFoundException or DirectoryNotFoundException or DriveNotFoundException or PathTooLongException or UnauthorizedAccessException => false,
        IOException io when io.GetType() == typeof(IOException) => false,
        _ => true,
    };

    private static Exception Innermost(Exception e)
    {
        while (e is System.Reflection.TargetInvocationException { InnerException: { } inner })
        {
            e = inner;
        }

        return e;
    }
}
