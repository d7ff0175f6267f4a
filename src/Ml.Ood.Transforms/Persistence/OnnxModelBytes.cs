using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Transforms.Onnx;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>Reads the ONNX model out of an ML.NET OnnxTransformer through its public save path.</summary>
internal static class OnnxModelBytes
{
    // The entry name OnnxTransformer writes its model under (ctx.SaveBinaryStream("OnnxModel", ...)),
    // as a 32-bit length followed by the bytes (ML.NET's BinaryWriter.WriteByteArray).
    internal const string EntryName = "OnnxModel";

    public static byte[] Extract(MLContext context, OnnxTransformer transformer)
    {
        // A temporary file rather than a MemoryStream: the saved zip of a large head (a KNN bank) would
        // otherwise sit in memory, growing by doubling, beside the bytes read back from it.
        using var zipFile = TemporaryFiles.CreateAnonymous("zip");
        context.Model.Save(transformer, null, zipFile);
        zipFile.Position = 0;
        using var zip = new ZipArchive(zipFile, ZipArchiveMode.Read);
        var entry = zip.Entries.FirstOrDefault(e => e.Name == EntryName)
            ?? throw new InvalidOperationException(OodErrors.SavedOnnxEntryMissing);
        using var reader = new BinaryReader(entry.Open());
        int length = reader.ReadInt32();
        return reader.ReadBytes(length);
    }
}
