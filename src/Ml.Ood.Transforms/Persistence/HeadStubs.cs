using System.Buffers.Binary;
using System.IO.Compression;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// Checks a saved .zip and keeps heads' models out of ML.NET while it loads: <see cref="Rewrite"/> copies the .zip,
/// verifying every entry's CRC-32 and every head's content hash, with each head's ONNX model replaced by a stub of the
/// same signature, and keeps the real models aside.
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

    private readonly Dictionary<string, SetAside> _heads = new(StringComparer.Ordinal);
    private readonly LargeHeadParts _large = new();

    private HeadStubs()
    {
    }

    /// <summary>A head's real model, the .zip entry it came from, and whether its content hash was there to check.</summary>
    internal sealed record SetAside(string Entry, OodHeadModel Model, HeadIntegrity.Result Hash);

    /// <summary>The entries whose stub no head took back: heads inside a transformer MlOod did not write.</summary>
    public IReadOnlyCollection<string> Untaken => _heads.Keys;

    /// <summary>The .zip entries copied, each with its CRC-32 and size checked.</summary>
    public int EntryCount { get; private set; }

    /// <summary>The heads set aside and not yet taken.</summary>
    public IEnumerable<SetAside> Heads => _heads.Values;

    /// <summary>
    /// Copies the .zip in <paramref name="zip"/> to <paramref name="rewritten"/> with every head stubbed whose entry
    /// <paramref name="mayStub"/> accepts.
    /// </summary>
    /// <param name="zip">The saved model.</param>
    /// <param name="rewritten">Where the copy goes.</param>
    /// <param name="mayStub">Which OnnxModel entries may be stubbed.</param>
    /// <param name="unhashed">Told the entry of each head saved without a content hash (by an older MlOod).</param>
    /// <exception cref="InvalidDataException">The .zip or one of its heads is damaged.</exception>
    public static HeadStubs Rewrite(Stream zip, Stream rewritten, Func<string, bool> mayStub, Action<string> unhashed)
    {
        var stubs = new HeadStubs();
        try
        {
            using var input = OpenZip(zip);
            CheckedZipEntry.CheckUniqueNames(input);
            using var output = new ZipArchive(rewritten, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var entry in input.Entries)
            {
                if (LargeHeadEntry.IsPart(entry.Name))
                {
                    // A large head's model and bank: read by MlOod alone, never handed to ML.NET.
                    stubs._large.Collect(entry);
                    stubs.EntryCount++;
                    continue;
                }

                var copy = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression);
                using var from = new CheckedZipEntry(entry);
                using (var to = copy.Open())
                {
                    if (entry.Name == OnnxModelBytes.EntryName && mayStub(entry.FullName))
                    {
                        stubs.CopyOnnxModel(entry, from, to, unhashed);
                    }
                    else
                    {
                        from.CopyTo(to);
                    }
                }
                from.Verify();
                stubs.EntryCount++;
            }
            foreach (var (stub, head) in stubs._large.Resolve())
            {
                stubs._heads.Add(stub, head);
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
    public SetAside? TakeRealModel(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(StubIdKey, out string? id))
        {
            return null;
        }

        if (!_heads.Remove(id, out var head))
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.StubNotSetAside, id));
        }

        return head;
    }

    /// <summary>Releases the models no head took.</summary>
    public void Dispose()
    {
        foreach (var head in _heads.Values)
        {
            head.Model.Dispose();
        }

        _heads.Clear();
        _large.Dispose();
    }

    /// <summary>Opens the .zip and reads its directory, which is where a damaged end of the file shows.</summary>
    private static ZipArchive OpenZip(Stream zip)
    {
        ZipArchive? archive = null;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            _ = archive.Entries.Count;
            return archive;
        }
        catch (InvalidDataException e)
        {
            archive?.Dispose();
            throw new InvalidDataException(OodErrors.Format(OodErrors.ModelFileNotZip, e.Message), e);
        }
    }

    /// <summary>
    /// Copies an OnnxTransformer's model entry (a 32-bit length, then the model), stubbing it if it is an MlOod head. The
    /// entry is read whole and its CRC checked before the model is looked at.
    /// </summary>
    private void CopyOnnxModel(ZipArchiveEntry entry, CheckedZipEntry from, Stream to, Action<string> unhashed)
    {
        Span<byte> prefix = stackalloc byte[4];
        from.ReadExactly(prefix);
        int length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length <= 0 || 4L + length != entry.Length)
        {
            throw CheckedZipEntry.Damaged(entry, OodErrors.Format(OodErrors.ZipEntryModelLength, length, entry.Length));
        }
        // Small models are read into memory, large ones into an anonymous file.
        using var copy = length < ExternalDataFiles.MinModelBytes ? new MemoryStream(length) : (Stream)TemporaryFiles.CreateAnonymous("onnx");
        try
        {
            ProtobufWire.CopyBytes(from, copy, length);
        }
        catch (InvalidDataException e) when (!CheckedZipEntry.IsDamagedEntry(e))
        {
            // The entry ended early (its directory's size was damaged too); a deflate error already names the entry.
            throw CheckedZipEntry.Damaged(entry, OodErrors.Format(OodErrors.ZipEntryEndsEarly, length), e);
        }
        from.Verify();

        var head = TryReadHead(entry.FullName, copy, length, unhashed);
        if (head is null)
        {
            copy.Position = 0;
            to.Write(prefix);
            ProtobufWire.CopyBytes(copy, to, length);
            return;
        }
        if (OodHeadModel.ReadMetadata(head.Model.Source).ContainsKey(LargeHeadEntry.SavedStubKey))
        {
            // A large head's saved stub: its real model is made from the entries beside its saved form.
            head.Model.Dispose();
            _large.ExpectStub(entry.FullName);
            WriteModel(to, new MemoryStream(BuildStub(head.Model.Info, entry.FullName), writable: false));
            return;
        }
        if (!_heads.TryAdd(entry.FullName, head))
        {
            head.Model.Dispose();
            throw CheckedZipEntry.Damaged(entry, OodErrors.ZipEntryDuplicate);
        }
        WriteModel(to, new MemoryStream(BuildStub(head.Model.Info, entry.FullName), writable: false));
    }

    /// <summary>
    /// The head in <paramref name="copy"/>, or <see langword="null"/> when it is not MlOod's saved form of a head (one input,
    /// one output named mlood_score or mlood_decision, mlood.* metadata): a user's graph merged with an exported head goes to
    /// ML.NET as it is. A model that has MlOod's form must be whole: its hash must match and its settings must be readable.
    /// </summary>
    private static SetAside? TryReadHead(string entryName, Stream copy, int length, Action<string> unhashed)
    {
        Dictionary<string, string> metadata;
        List<string> inputs, outputs;
        try
        {
            copy.Position = 0;
            metadata = OnnxModelStructure.ReadMetadata(copy, length);
            copy.Position = 0;
            (inputs, outputs) = OnnxModelStructure.ReadSignature(copy, length);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or Google.Protobuf.InvalidProtocolBufferException)
        {
            // Not readable as a head: ML.NET gets it as saved, and refuses it if it is damaged.
            return null;
        }
        if (metadata.ContainsKey(OnnxEncoderModel.EncoderKey))
        {
            // A batched encoder is not stubbed (ML.NET loads it as its OnnxTransformer), but is checked here like a head.
            OnnxEncoderModel.CheckHash(copy, length, OodErrors.Format(OodErrors.EncoderInEntrySubject, entryName));
            return null;
        }

        if (!metadata.ContainsKey(OodHeadInfo.HeadKey) || !OodHeadModel.HasHeadForm(inputs, outputs))
        {
            return null;
        }

        string source = OodErrors.Format(OodErrors.HeadInEntrySubject, entryName);
        var hash = HeadIntegrity.Check(copy, length, source);
        if (hash == HeadIntegrity.Result.Missing)
        {
            unhashed(entryName);
        }

        var info = OodHeadInfo.FromMetadata(metadata, source)!;
        OodHeadModel.CheckSignature(info, inputs, outputs, source);

        copy.Position = 0;
        var model = copy is MemoryStream memory
            ? OnnxModelSource.FromBytes(memory.Capacity == length ? memory.GetBuffer() : memory.ToArray())
            : OnnxModelSource.FromExternalData(ExternalDataFiles.Create(copy, length));
        return new SetAside(entryName, new OodHeadModel(model, info), hash);
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
    /// <param name="info">The head the stub stands for.</param>
    /// <param name="id">What the stub's <paramref name="key"/> metadata holds.</param>
    /// <param name="key">
    /// <see cref="StubIdKey"/> for a stub made while loading; <see cref="LargeHeadEntry.SavedStubKey"/> for the saved stub of a
    /// large head, whose real model lies in entries of its own.
    /// </param>
    internal static byte[] BuildStub(OodHeadInfo info, string id, string key = StubIdKey)
    {
        var g = OodHeadModel.Start(info);
        g.SetMetadata(key, id);
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
