using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Transforms.Onnx;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>Reads the ONNX model out of an ML.NET OnnxTransformer through its public save path.</summary>
internal static class OnnxModelBytes
{
    // The entry name OnnxTransformer writes its model under (ctx.SaveBinaryStream("OnnxModel", ...)),
    // as a 32-bit length followed by the bytes (ML.NET's BinaryWriter.WriteByteArray).
    private const string EntryName = "OnnxModel";

    public static byte[] Extract(MLContext context, OnnxTransformer transformer)
    {
        using var zipBytes = new MemoryStream();
        context.Model.Save(transformer, null, zipBytes);
        zipBytes.Position = 0;
        using var zip = new ZipArchive(zipBytes, ZipArchiveMode.Read);
        var entry = zip.Entries.FirstOrDefault(e => e.Name == EntryName)
            ?? throw new InvalidOperationException("The saved OnnxTransformer holds no ONNX model entry.");
        using var reader = new BinaryReader(entry.Open());
        int length = reader.ReadInt32();
        return reader.ReadBytes(length);
    }
}
