using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Onnx;

/// <summary>
/// Reads a serialized model's metadata and signature while seeking over everything else: parsing the whole model
/// would copy every initializer, a KNN bank included, into managed memory.
/// </summary>
internal static class OnnxModelStructure
{
    private const int ModelGraph = ModelProto.GraphFieldNumber;
    private const int ModelMetadataProps = ModelProto.MetadataPropsFieldNumber;
    private const int GraphInput = GraphProto.InputFieldNumber;
    private const int GraphOutput = GraphProto.OutputFieldNumber;

    /// <summary>ModelProto.metadata_props of the <paramref name="length"/> bytes at the stream's position.</summary>
    public static Dictionary<string, string> ReadMetadata(Stream model, long length)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        long position = 0;
        while (ProtobufWire.TryReadTag(model, ref position, length, out int field, out int wireType))
        {
            if (field == ModelMetadataProps && wireType == ProtobufWire.LengthDelimited)
            {
                var entry = StringStringEntryProto.Parser.ParseFrom(ReadPayload(model, ref position));
                metadata[entry.Key] = entry.Value;
            }
            else
            {
                ProtobufWire.SkipField(model, ref position, wireType);
            }
        }
        return metadata;
    }

    /// <summary>The names of the graph's inputs and outputs, in order.</summary>
    public static (List<string> Inputs, List<string> Outputs) ReadSignature(Stream model, long length)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        long position = 0;
        while (ProtobufWire.TryReadTag(model, ref position, length, out int field, out int wireType))
        {
            if (field != ModelGraph || wireType != ProtobufWire.LengthDelimited)
            {
                ProtobufWire.SkipField(model, ref position, wireType);
                continue;
            }
            long graphEnd = ProtobufWire.ReadLength(model, ref position) + position;
            while (ProtobufWire.TryReadTag(model, ref position, graphEnd, out int graphField, out int graphWireType))
            {
                if (graphField is GraphInput or GraphOutput && graphWireType == ProtobufWire.LengthDelimited)
                {
                    (graphField == GraphInput ? inputs : outputs).Add(ValueInfoProto.Parser.ParseFrom(ReadPayload(model, ref position)).Name);
                }
                else
                {
                    ProtobufWire.SkipField(model, ref position, graphWireType);
                }
            }
            ProtobufWire.CheckEnd(position, graphEnd);
        }
        return (inputs, outputs);
    }

    private static byte[] ReadPayload(Stream model, ref long position)
        => ProtobufWire.ReadBytes(model, ref position, ProtobufWire.ReadLength(model, ref position));
}
