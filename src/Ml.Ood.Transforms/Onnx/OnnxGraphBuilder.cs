using System.Runtime.InteropServices;
using Google.Protobuf;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Onnx;

/// <summary>
/// Writes the small ONNX graphs that MlOod's heads are made of: inputs with a dynamic batch dimension,
/// initializers for fitted state, nodes with attributes, and <c>metadata_props</c> for settings.
/// One builder serves every head, so that each head is only its formula.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The opset MlOod writes: the newest that ONNX Runtime 1.31 and ML.NET's OnnxTransformer both run.</summary>
    public const long Opset = OnnxVersions.Opset;

    /// <summary>The symbolic name of the batch dimension on every input and output.</summary>
    public const string BatchDimension = "batch";

    private readonly GraphProto _graph;
    private readonly ModelProto _model;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _nextId;

    public OnnxGraphBuilder(string graphName)
    {
        _graph = new GraphProto { Name = graphName };
        _model = new ModelProto
        {
            IrVersion = OnnxVersions.IrVersion,
            ProducerName = "MlOod",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = _graph,
        };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
    }

    /// <summary>Declares a graph input of shape [batch, <paramref name="dimsAfterBatch"/>...].</summary>
    public string AddInput(string name, TensorProto.Types.DataType type, params long[] dimsAfterBatch)
    {
        _graph.Input.Add(MakeValueInfo(Claim(name), type, dimsAfterBatch));
        return name;
    }

    /// <summary>
    /// Declares a graph input whose first dimension has its own symbolic name: a second input whose row count is not the
    /// batch's (a test-time head's dictionary, passed as an input because it changes between calls).
    /// </summary>
    public string AddInput(string name, string firstDimension, TensorProto.Types.DataType type, params long[] dimsAfterFirst)
    {
        _graph.Input.Add(MakeValueInfo(Claim(name), type, dimsAfterFirst, firstDimension));
        return name;
    }

    /// <summary>Declares a graph output of shape [batch, <paramref name="dimsAfterBatch"/>...].</summary>
    public void AddOutput(string name, TensorProto.Types.DataType type, params long[] dimsAfterBatch)
        => _graph.Output.Add(MakeValueInfo(name, type, dimsAfterBatch));

    /// <summary>Adds a float constant (fitted state: a bank, label embeddings, a threshold).</summary>
    public string AddInitializer(string name, ReadOnlySpan<float> values, params long[] dims)
        => AddRawInitializer(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Adds an int64 constant (axes, shapes, k).</summary>
    public string AddInitializer(string name, ReadOnlySpan<long> values, params long[] dims)
        => AddRawInitializer(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>
    /// Adds a float constant whose values lie in an external data file (<paramref name="location"/>, beside the model, from
    /// offset 0): state over protobuf's 2 GB limit, which no message may hold inline.
    /// </summary>
    public string AddExternalInitializer(string name, string location, long length, params long[] dims)
    {
        long expected = dims.Aggregate(1L, (a, d) => a * d) * sizeof(float);
        if (expected != length)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.InitializerShapeMismatch, name, length / sizeof(float), string.Join(", ", dims), expected / sizeof(float)), nameof(dims));
        }

        var tensor = new TensorProto { Name = Claim(name), DataType = (int)TensorProto.Types.DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.AddRange(dims);
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a node and returns the name of its (first) output, generated when not given.</summary>
    public string AddNode(string opType, IReadOnlyList<string> inputs, string? output = null, params AttributeProto[] attributes)
    {
        string outputName = Claim(output ?? $"{opType}_{_nextId}");
        AppendNode(opType, inputs, [outputName], attributes);
        return outputName;
    }

    /// <summary>Adds a node with several outputs (e.g. TopK's values and indices) and returns their names.</summary>
    public string[] AddNodeWithOutputs(string opType, IReadOnlyList<string> inputs, int outputCount, params AttributeProto[] attributes)
    {
        var outputs = Enumerable.Range(0, outputCount).Select(i => Claim($"{opType}_{_nextId}_{i}")).ToArray();
        AppendNode(opType, inputs, outputs, attributes);
        return outputs;
    }

    /// <summary>Adds a node with a single input.</summary>
    public string AddNode(string opType, string input, string? output = null, params AttributeProto[] attributes)
        => AddNode(opType, [input], output, attributes);

    /// <summary>Sets one <c>metadata_props</c> entry; a later call with the same key replaces it.</summary>
    public void SetMetadata(string key, string value)
    {
        var existing = _model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (existing is not null)
        {
            existing.Value = value;
        }
        else
        {
            _model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
    }

    /// <summary>
    /// Renames the value <paramref name="from"/> everywhere in the graph (the node that writes it and the nodes that read
    /// it), so that a graph's output can be routed through more nodes after its head wrote it.
    /// </summary>
    public string RenameValue(string from, string to)
    {
        Claim(to);
        foreach (var node in _graph.Node)
        {
            for (int i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i] == from)
                {
                    node.Output[i] = to;
                }
            }
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }
        }
        _names.Remove(from);
        return to;
    }

    /// <summary>The serialized model.</summary>
    public byte[] ToBytes() => _model.ToByteArray();

    private void AppendNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nextId++}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
    }

    private string AddRawInitializer(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, int count, long[] dims)
    {
        long expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != count)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.InitializerShapeMismatch, name, count, string.Join(", ", dims), expected), nameof(dims));
        }
        // ONNX stores raw_data little-endian; every platform .NET and ONNX Runtime share here is little-endian.
        var tensor = new TensorProto { Name = Claim(name), DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    private string Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.GraphValueNameTaken, name));
        }

        return name;
    }

    private static ValueInfoProto MakeValueInfo(string name, TensorProto.Types.DataType type, long[] dimsAfterBatch,
        string firstDimension = BatchDimension)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = firstDimension });
        foreach (long d in dimsAfterBatch)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
