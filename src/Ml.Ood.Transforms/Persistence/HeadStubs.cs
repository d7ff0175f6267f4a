using System.Buffers.Binary;
using System.IO.Compression;
using Ml.Ood.Transforms.Onnx;
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
    /// Copies the .zip in <paramref name="zip"/> to <paramref name="rewritten"/> with every head stubbed whose entry
    /// <paramref name="mayStub"/> accepts.
    /// </summary>
    public static HeadStubs Rewrite(Stream zip, Stream rewritten, Func<string, bool> mayStub)
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
                if (entry.Name == OnnxModelBytes.EntryName && mayStub(entry.FullName))
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
        // The entry is read once: small models into memory, large ones into an anonymous file.
        using var copy = length < ExternalDataFiles.MinModelBytes ? new MemoryStream(length) : (Stream)TemporaryFiles.CreateAnonymous("onnx");
        ProtobufWire.CopyBytes(from, copy, length);

        var head = TryReadHead(copy, length);
        if (head is null)
        {
            copy.Position = 0;
            to.Write(prefix);
            ProtobufWire.CopyBytes(copy, to, length);
        }
        else
        {
            _heads.Add(entryName, head);
            WriteModel(to, new MemoryStream(BuildStub(head.Info, entryName), writable: false));
        }
        from.CopyTo(to);
    }

    /// <summary>
    /// The head in <paramref name="copy"/>, or <see langword="null"/> when it is not a head with the signature MlOod
    /// writes (a user's graph merged with an exported head has other inputs or outputs) or its metadata cannot be read:
    /// such models go to ML.NET as they are, and the restorer reports what is wrong with them.
    /// </summary>
    private static OodHeadModel? TryReadHead(Stream copy, int length)
    {
        OodHeadInfo? info;
        try
        {
            copy.Position = 0;
            info = OodHeadInfo.FromMetadata(OnnxModelStructure.ReadMetadata(copy, length));
            copy.Position = 0;
            if (info is null || !OodHeadModel.HasHeadSignature(copy, length, info))
                return null;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or OverflowException or InvalidOperationException
            or KeyNotFoundException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return null;
        }

        copy.Position = 0;
        var source = copy is MemoryStream memory
            ? OnnxModelSource.FromBytes(memory.Capacity == length ? memory.GetBuffer() : memory.ToArray())
            : OnnxModelSource.FromExternalData(ExternalDataFiles.Create(copy, length));
        return new OodHeadModel(source, info);
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
        string batch = g.AddNode("Shape", info.InputColumnName, attributes: [OnnxAttributes.Int("start", 0), OnnxAttributes.Int("end", 1)]);
        if (info.OutputKind == OodHeadOutputKind.Score)
        {
            g.AddNode("ConstantOfShape", batch, OodHeadModel.ScoreOutputName);
        }
        else
        {
            string zeros = g.AddNode("ConstantOfShape", batch);
            g.AddNode("Cast", zeros, OodHeadModel.DecisionOutputName, OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Bool));
        }
        return OodHeadModel.Finish(g, info).Source.ToArray();
    }
}
