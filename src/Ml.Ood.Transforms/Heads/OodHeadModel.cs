using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood;

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
        {
            builder.SetMetadata(entry.Key, entry.Value);
        }

        return builder;
    }

    /// <summary>
    /// Declares the output (which the last node must have written), makes a row with a NaN or infinite input score NaN,
    /// and serialises the graph with its content hash (<see cref="HeadIntegrity"/>).
    /// </summary>
    /// <remarks>
    /// A head whose bank was written as external data (<paramref name="external"/>) records the bank's SHA-256 and size in
    /// its metadata before its own hash, so that its content hash covers the bank too, and keeps its model with the data
    /// file, which its session maps.
    /// </remarks>
    public static OodHeadModel Finish(OnnxGraphBuilder builder, OodHeadInfo info, ExternalBank? external = null)
    {
        if (info.OutputKind == OodHeadOutputKind.Score && !info.InputIsScalar)
        {
            GuardNonFiniteInput(builder, info);
        }

        var type = info.OutputKind == OodHeadOutputKind.Score ? TensorProto.Types.DataType.Float : TensorProto.Types.DataType.Bool;
        builder.AddOutput(OutputNameFor(info.OutputKind), type);
        if (external is null)
        {
            return new OodHeadModel(OnnxModelSource.FromBytes(HeadIntegrity.Seal(builder.ToBytes())), info);
        }

        LargeHeadEntry.Describe(builder, external);
        return new OodHeadModel(OnnxModelSource.FromExternalData(ExternalDataFiles.FromBank(external, HeadIntegrity.Seal(builder.ToBytes()))), info);
    }

    /// <summary>
    /// A row with a NaN or infinite input value scores NaN, whatever the head's formula would make of it (ONNX Runtime's
    /// ReduceMax and ReduceMin pass over a NaN that is not a row's first value; a softmax ignores a -infinity): the row's
    /// sum times 0 is 0 when every value is finite and NaN otherwise, and adding it leaves every finite score bit for bit
    /// as it was. One read of the input, no tensor written: measured on the energy graph over 100,000 x 1,000 logits, 15%
    /// of the graph's time, where x * 0 summed (a written tensor and a second read) took 44%. The sum overflows to infinity
    /// only for rows whose values near float's largest (3.4e38 over the row's width), which are flagged too. The decision
    /// then flags the row out-of-distribution (fail closed).
    /// </summary>
    private static void GuardNonFiniteInput(OnnxGraphBuilder g, OodHeadInfo info)
    {
        string raw = g.RenameValue(ScoreOutputName, "mlood_raw_score");
        string sum = g.AddNode("ReduceSum", [info.InputColumnName, g.AddInitializer("mlood_guard_axis", [1L], 1)], attributes: OnnxAttributes.Int("keepdims", 0));
        string guard = g.AddNode("Mul", [sum, g.AddInitializer("mlood_guard_zero", [0f])]);
        g.AddNode("Add", [raw, guard], ScoreOutputName);
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

    /// <summary>Whether a graph has the form every head's graph has: one input, one output named as <see cref="Finish"/> names it.</summary>
    public static bool HasHeadForm(IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
        => inputs.Count == 1 && outputs.Count == 1 && outputs[0] is ScoreOutputName or DecisionOutputName;

    /// <summary>Checks that a head's graph reads and writes what its settings say.</summary>
    /// <exception cref="InvalidDataException">The graph's input or output differs from the head's settings.</exception>
    public static void CheckSignature(OodHeadInfo info, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, string source)
    {
        string expectedOutput = OutputNameFor(info.OutputKind);
        if (!inputs.SequenceEqual([info.InputColumnName]) || !outputs.SequenceEqual([expectedOutput]))
        {
            throw new InvalidDataException(OodErrors.Format(
                OodErrors.HeadGraphSignatureMismatch, source, info.InputColumnName, expectedOutput, string.Join(", ", inputs), string.Join(", ", outputs)));
        }
    }

    /// <summary>Releases the model's temporary files, if it has any.</summary>
    public void Dispose() => Source.Dispose();
}
