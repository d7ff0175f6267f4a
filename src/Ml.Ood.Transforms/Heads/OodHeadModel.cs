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

    /// <summary>The model's <c>metadata_props</c>.</summary>
    public static Dictionary<string, string> ReadMetadata(OnnxModelSource source)
    {
        using var structure = source.OpenStructure();
        return OnnxModelStructure.ReadMetadata(structure, structure.Length);
    }

    /// <summary>Whether a graph has exactly the input and output every head declares (<see cref="Start"/>, <see cref="Finish"/>).</summary>
    public static bool HasHeadSignature(Stream model, long length, OodHeadInfo info)
    {
        var (inputs, outputs) = OnnxModelStructure.ReadSignature(model, length);
        return inputs.SequenceEqual([info.InputColumnName]) && outputs.SequenceEqual([OutputNameFor(info.OutputKind)]);
    }

    /// <summary>Releases the model's temporary files, if it has any.</summary>
    public void Dispose() => Source.Dispose();
}
