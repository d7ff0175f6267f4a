using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// A saved model's .zip as a test takes it apart: its entries, its heads' ONNX models, and the offsets of its entries'
/// data, so that a test can damage one byte or rewrite an entry (with valid CRCs, as a tool would).
/// </summary>
internal sealed class SavedModelFile
{
    private SavedModelFile(List<(string Name, byte[] Bytes)> entries) => Entries = entries;

    public List<(string Name, byte[] Bytes)> Entries { get; }

    public static SavedModelFile Read(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return new SavedModelFile(archive.Entries.Select(e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return (e.FullName, copy.ToArray());
        }).ToList());
    }

    /// <summary>The names of the entries that hold an MlOod head's ONNX model.</summary>
    public IEnumerable<string> HeadEntries => Entries.Where(e => e.Name.EndsWith("/OnnxModel", StringComparison.Ordinal)
        && Head(e.Name).MetadataProps.Any(p => p.Key == OodHeadInfo.HeadKey)).Select(e => e.Name);

    /// <summary>The head whose output column is <paramref name="outputColumn"/>.</summary>
    public string HeadEntryWriting(string outputColumn)
        => HeadEntries.Single(e => Head(e).MetadataProps.Any(p => p.Key == OodHeadInfo.OutputColumnKey && p.Value == outputColumn));

    public ModelProto Head(string entry) => ModelProto.Parser.ParseFrom(Entries.Single(e => e.Name == entry).Bytes.AsSpan(4).ToArray());

    /// <summary>Replaces a head's model; <paramref name="keepHash"/> false drops its content hash, as an older MlOod saved it.</summary>
    public SavedModelFile WithHead(string entry, Action<ModelProto> change, bool keepHash)
    {
        var model = Head(entry);
        if (!keepHash)
        {
            var hash = model.MetadataProps.Single(p => p.Key == HeadIntegrity.HashKey);
            model.MetadataProps.Remove(hash);
        }
        change(model);
        byte[] bytes = model.ToByteArray();
        var prefixed = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteInt32LittleEndian(prefixed, bytes.Length);
        bytes.CopyTo(prefixed, 4);
        return new SavedModelFile(Entries.Select(e => e.Name == entry ? (e.Name, prefixed) : e).ToList());
    }

    public SavedModelFile WithEntries(Func<List<(string Name, byte[] Bytes)>, IEnumerable<(string Name, byte[] Bytes)>> change)
        => new(change(Entries).ToList());

    public byte[] ToZip()
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in Entries)
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }
        return output.ToArray();
    }

    /// <summary>The offset in <paramref name="zip"/> of the first byte of <paramref name="entry"/>'s (compressed) data.</summary>
    public static int DataOffset(byte[] zip, string entry)
    {
        byte[] name = Encoding.UTF8.GetBytes(entry);
        for (int i = 0; i + 30 < zip.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i)) != 0x04034b50)
            {
                continue;
            }

            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 26));
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 28));
            if (zip.AsSpan(i + 30, nameLength).SequenceEqual(name))
            {
                return i + 30 + nameLength + extraLength;
            }
        }
        throw new ArgumentException($"No local header for '{entry}'.");
    }
}
