using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Transforms;

/// <summary>A head as it is executed and saved: its ONNX model and its description.</summary>
internal sealed class OodHeadModel : IDisposable
{
    /// <summary>The graph output that holds the score, shape [batch]; ML.NET sees it as a one-slot vector.</summary>
    public const string ScoreOutputName = "mlood_score";

    /// <summary>The graph output that holds the decision, shape [batch].</summary>
    public const string DecisionOutputName = "mlood_decision";

    public OodHeadModel(OnnxModelSource source, OodHeadInfo info)
    {
        Source = source;
        Info = info;
    }

    /// <summary>The serialized ONNX model.</summary>
    public OnnxModelSource Source { get; }

    public OodHeadInfo Info { get; }

    public string GraphOutputName => OutputNameFor(Info.OutputKind);

    public static string OutputNameFor(OodHeadOutputKind kind)
        => kind == OodHeadOutputKind.Score ? ScoreOutputName : DecisionOutputName;

    /// <summary>
    /// Starts a head's graph: declares its input (named after the input column, as ML.NET's OnnxTransformer
    /// requires) and stamps the description into the metadata. The head adds its nodes and calls
    /// <see cref="Finish"/>.
    /// </summary>
    public static OnnxGraphBuilder Start(OodHeadInfo info)
    {
        var builder = new OnnxGraphBuilder($"mlood_{info.Kind}");
        builder.AddInput(info.InputColumnName, TensorProto.Types.DataType.Float, info.InputSize);
        foreach (var entry in info.ToMetadata())
            builder.SetMetadata(entry.Key, entry.Value);
        return builder;
    }

    /// <summary>Declares the output (which the last node must have written) and serialises the graph.</summary>
    public static OodHeadModel Finish(OnnxGraphBuilder builder, OodHeadInfo info)
    {
        var type = info.OutputKind == OodHeadOutputKind.Score ? TensorProto.Types.DataType.Float : TensorProto.Types.DataType.Bool;
        builder.AddOutput(OutputNameFor(info.OutputKind), type);
        return new OodHeadModel(OnnxModelSource.FromBytes(builder.ToBytes()), info);
    }

    /// <summary>Reads a head back from an ONNX model; <see langword="null"/> when the graph is not an MlOod head.</summary>
    public static OodHeadModel? TryRead(OnnxModelSource source)
    {
        var info = OodHeadInfo.FromMetadata(ReadMetadata(source));
        return info is null ? null : new OodHeadModel(source, info);
    }

    /// <summary>Reads a head back from ONNX bytes; <see langword="null"/> when the graph is not an MlOod head.</summary>
    public static OodHeadModel? TryRead(byte[] bytes) => TryRead(OnnxModelSource.FromBytes(bytes));

    /// <summary>Releases the model's temporary file, if it has one.</summary>
    public void Dispose() => Source.Dispose();

    /// <summary>
    /// Reads only ModelProto.metadata_props (field 14) and seeks over the rest: parsing the whole model would
    /// copy every initializer, a KNN bank included, into managed memory.
    /// </summary>
    public static Dictionary<string, string> ReadMetadata(OnnxModelSource source)
    {
        const int MetadataPropsField = 14;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using var input = source.OpenRead();
        long position = 0;
        while (ProtobufWire.TryReadTag(input, ref position, source.Length, out int field, out int wireType))
        {
            if (field == MetadataPropsField && wireType == ProtobufWire.LengthDelimited)
            {
                long length = (long)ProtobufWire.ReadVarint(input, ref position);
                var entry = StringStringEntryProto.Parser.ParseFrom(ProtobufWire.ReadBytes(input, ref position, length));
                metadata[entry.Key] = entry.Value;
            }
            else
            {
                ProtobufWire.SkipField(input, ref position, wireType);
            }
        }
        return metadata;
    }
}
