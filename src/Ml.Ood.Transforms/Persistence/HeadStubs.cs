using System.Buffers.Binary;
using System.IO.Compression;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// Keeps heads' models out of ML.NET while a .zip loads: <see cref="Rewrite"/> copies the .zip with each head's
/// ONNX model replaced by a stub of the same signature, and keeps the real models aside in temporary files.
/// </summary>
/// <remarks>
/// <c>ml.Model.Load</c> would otherwise parse each head's model in managed code and build an ONNX Runtime session
/// over it, all to be thrown away when the head becomes batched again: for a 100 MB KNN bank, several hundred MB
/// of peak memory and seconds of loading. The stub's session costs nothing and is disposed when the head is restored.
/// </remarks>
internal sealed class HeadStubs : IDisposable
{
    /// <summary>Metadata that marks a stub and names the real model it stands for (its entry in the .zip).</summary>
    internal const string StubIdKey = "mlood.stub_id";

    private readonly Dictionary<string, OodHeadModel> _heads = new(StringComparer.Ordinal);

    private HeadStubs()
    {
    }

    /// <summary>The entries whose stub no head took back: heads inside a transformer MlOod did not write.</summary>
    public IReadOnlyCollection<string> Untaken => _heads.Keys;

    /// <summary>
    /// Copies the .zip in <paramref name="zip"/> to <paramref name="rewritten"/> with every head stubbed, except those
    /// in the entries named in <paramref name="keep"/>.
    /// </summary>
    public static HeadStubs Rewrite(Stream zip, Stream rewritten, IReadOnlyCollection<string>? keep = null)
    {
        var stubs = new HeadStubs();
        try
        {
            using var input = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            using var output = new ZipArchive(rewritten, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var entry in input.Entries)
            {
                var copy = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression);
                using var from = entry.Open();
                using var to = copy.Open();
                if (entry.Name == OnnxModelBytes.EntryName && keep?.Contains(entry.FullName) != true)
                    stubs.CopyOnnxModel(entry.FullName, from, to);
                else
                    from.CopyTo(to);
            }
            return stubs;
        }
        catch
        {
            stubs.Dispose();
            throw;
        }
    }

    /// <summary>The real model behind a stub's metadata, or <see langword="null"/> when the model is not a stub.</summary>
    /// <remarks>The caller owns the returned model.</remarks>
    public OodHeadModel? TakeRealModel(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(StubIdKey, out string? id))
            return null;
        if (!_heads.Remove(id, out var head))
            throw new InvalidOperationException($"The loaded model refers to an MlOod head ('{id}') that this load did not set aside.");
        return head;
    }

    /// <summary>Releases the models no head took.</summary>
    public void Dispose()
    {
        foreach (var head in _heads.Values)
            head.Dispose();
        _heads.Clear();
    }

    /// <summary>Copies an OnnxTransformer's model entry (a 32-bit length, then the model), stubbing it if it is a head.</summary>
    private void CopyOnnxModel(string entryName, Stream from, Stream to)
    {
        Span<byte> prefix = stackalloc byte[4];
        from.ReadExactly(prefix);
        int length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        var source = OnnxModelSource.FromStream(from, length);
        var head = OodHeadModel.TryRead(source);
        if (head is null)
        {
            using (source)
                WriteModel(to, source.OpenRead());
            return;
        }

        _heads.Add(entryName, head);
        WriteModel(to, new MemoryStream(BuildStub(head.Info, entryName), writable: false));
    }

    private static void WriteModel(Stream to, Stream model)
    {
        using (model)
        {
            Span<byte> prefix = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(prefix, checked((int)model.Length));
            to.Write(prefix);
            model.CopyTo(to);
        }
    }

    /// <summary>
    /// A graph with the head's input, output and metadata that outputs zeros (false for decisions): enough for
    /// ML.NET's OnnxTransformer to load and describe its columns, and never used to score.
    /// </summary>
    internal static byte[] BuildStub(OodHeadInfo info, string id)
    {
        var g = OodHeadModel.Start(info);
        g.SetMetadata(StubIdKey, id);
        string batch = g.AddNode("Shape", info.InputColumnName, attributes: [Onnx.OnnxAttributes.Int("start", 0), Onnx.OnnxAttributes.Int("end", 1)]);
        if (info.OutputKind == OodHeadOutputKind.Score)
        {
            g.AddNode("ConstantOfShape", batch, OodHeadModel.ScoreOutputName);
        }
        else
        {
            string zeros = g.AddNode("ConstantOfShape", batch);
            g.AddNode("Cast", zeros, OodHeadModel.DecisionOutputName, Onnx.OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Bool));
        }
        return OodHeadModel.Finish(g, info).Source.ToArray();
    }
}
