using Google.Protobuf;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Onnx;

/// <summary>
/// Rewrites a serialized model so that its large initializers live in an external data file (the ONNX
/// external-data convention), streaming them from the source to the file.
/// </summary>
/// <remarks>
/// ONNX Runtime memory-maps external data on the CPU: a session created from a model file plus its data file holds
/// one copy of a KNN bank (the mapped pages), where a session created from bytes holds three (the caller's bytes, the
/// parsed protobuf and the initializer tensor).
/// </remarks>
internal static class OnnxExternalData
{
    private const int ModelGraph = ModelProto.GraphFieldNumber;
    private const int GraphInitializer = GraphProto.InitializerFieldNumber;
    private const int TensorRawData = TensorProto.RawDataFieldNumber;
    private const int TensorExternalData = TensorProto.ExternalDataFieldNumber;
    private const int TensorDataLocation = TensorProto.DataLocationFieldNumber;

    /// <summary>Offsets in the data file are page-aligned, so that each tensor can be mapped where it lies.</summary>
    private const int Alignment = 4096;

    /// <summary>
    /// Reads the model (<paramref name="length"/> bytes of <paramref name="model"/>) and writes it to
    /// <paramref name="modelPath"/>, with every initializer's raw data of at least <paramref name="minBytes"/>
    /// moved to <paramref name="dataFileName"/> in the same folder. Returns how many initializers were moved.
    /// </summary>
    public static int Write(Stream model, long length, string modelPath, string dataFileName, long minBytes)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        using var data = new FileStream(Path.Combine(folder, dataFileName), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var rewriter = new Rewriter(model, data, dataFileName, minBytes);
        using var modelOut = new MemoryStream();
        long position = 0;
        while (ProtobufWire.TryReadTag(model, ref position, length, out int field, out int wireType))
        {
            if (field == ModelGraph && wireType == ProtobufWire.LengthDelimited)
            {
                ProtobufWire.WriteMessage(modelOut, field, rewriter.Graph(ref position));
            }
            else
            {
                ProtobufWire.CopyField(model, ref position, modelOut, field, wireType);
            }
        }
        ProtobufWire.CheckEnd(position, length);
        File.WriteAllBytes(modelPath, modelOut.ToArray());
        return rewriter.Moved;
    }

    private sealed class Rewriter(Stream model, FileStream data, string dataFileName, long minBytes)
    {
        public int Moved { get; private set; }

        public MemoryStream Graph(ref long position)
        {
            long length = ProtobufWire.ReadLength(model, ref position);
            long end = position + length;
            var graph = new MemoryStream();
            while (ProtobufWire.TryReadTag(model, ref position, end, out int field, out int wireType))
            {
                if (field == GraphInitializer && wireType == ProtobufWire.LengthDelimited)
                {
                    ProtobufWire.WriteMessage(graph, field, Tensor(ref position));
                }
                else
                {
                    ProtobufWire.CopyField(model, ref position, graph, field, wireType);
                }
            }
            ProtobufWire.CheckEnd(position, end);
            return graph;
        }

        private MemoryStream Tensor(ref long position)
        {
            long length = ProtobufWire.ReadLength(model, ref position);
            long end = position + length;
            var tensor = new MemoryStream();
            (long Offset, long Length)? moved = null;
            while (ProtobufWire.TryReadTag(model, ref position, end, out int field, out int wireType))
            {
                if (field == TensorRawData && wireType == ProtobufWire.LengthDelimited)
                {
                    long rawLength = ProtobufWire.ReadLength(model, ref position);
                    if (rawLength >= minBytes)
                    {
                        moved = (AlignedEnd(), rawLength);
                        data.Position = moved.Value.Offset;
                        ProtobufWire.CopyBytes(model, data, rawLength);
                        position += rawLength;
                        continue;
                    }
                    ProtobufWire.WriteTag(tensor, field, wireType);
                    ProtobufWire.WriteVarint(tensor, (ulong)rawLength);
                    ProtobufWire.CopyBytes(model, tensor, rawLength);
                    position += rawLength;
                }
                else
                {
                    ProtobufWire.CopyField(model, ref position, tensor, field, wireType);
                }
            }
            ProtobufWire.CheckEnd(position, end);
            if (moved is var (offset, movedLength))
            {
                Moved++;
                WriteEntry(tensor, "location", dataFileName);
                WriteEntry(tensor, "offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
                WriteEntry(tensor, "length", movedLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
                ProtobufWire.WriteTag(tensor, TensorDataLocation, ProtobufWire.Varint);
                ProtobufWire.WriteVarint(tensor, (ulong)TensorProto.Types.DataLocation.External);
            }
            return tensor;
        }

        private long AlignedEnd() => (data.Length + Alignment - 1) / Alignment * Alignment;

        private static void WriteEntry(MemoryStream tensor, string key, string value)
        {
            var entry = new StringStringEntryProto { Key = key, Value = value }.ToByteArray();
            ProtobufWire.WriteTag(tensor, TensorExternalData, ProtobufWire.LengthDelimited);
            ProtobufWire.WriteVarint(tensor, (ulong)entry.Length);
            tensor.Write(entry);
        }
    }
}
