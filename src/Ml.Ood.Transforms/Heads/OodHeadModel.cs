using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms;

/// <summary>A head as it is executed and saved: its ONNX bytes and its description.</summary>
internal sealed class OodHeadModel
{
    /// <summary>The graph output that holds the score, shape [batch]; ML.NET sees it as a one-slot vector.</summary>
    public const string ScoreOutputName = "mlood_score";

    /// <summary>The graph output that holds the decision, shape [batch].</summary>
    public const string DecisionOutputName = "mlood_decision";

    public OodHeadModel(byte[] bytes, OodHeadInfo info)
    {
        Bytes = bytes;
        Info = info;
    }

    public byte[] Bytes { get; }

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
        return new OodHeadModel(builder.ToBytes(), info);
    }

    /// <summary>Reads a head back from ONNX bytes; <see langword="null"/> when the graph is not an MlOod head.</summary>
    public static OodHeadModel? TryRead(byte[] bytes)
    {
        var info = OodHeadInfo.FromMetadata(ReadMetadata(bytes));
        return info is null ? null : new OodHeadModel(bytes, info);
    }

    /// <summary>
    /// Reads only ModelProto.metadata_props (field 14) and skips the rest without copying it: parsing the whole
    /// model would copy every initializer, a KNN bank included, into a second buffer.
    /// </summary>
    private static Dictionary<string, string> ReadMetadata(byte[] bytes)
    {
        const int MetadataPropsField = 14;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var input = new Google.Protobuf.CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (Google.Protobuf.WireFormat.GetTagFieldNumber(tag) == MetadataPropsField)
            {
                var entry = new StringStringEntryProto();
                input.ReadMessage(entry);
                metadata[entry.Key] = entry.Value;
            }
            else
            {
                input.SkipLastField();
            }
        }
        return metadata;
    }
}
