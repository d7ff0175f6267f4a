using System.Buffers.Binary;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood;

/// <summary>
/// Finds the linear layer that produces a graph output of an ONNX model (<see cref="OodClassifierLayer.FromOnnx"/>) and
/// reads its constants: Gemm, MatMul + Add, or MatMul, through Identity nodes.
/// </summary>
internal sealed class OnnxLinearLayer
{
    private readonly string _path;
    private readonly string _output;
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);

    private OnnxLinearLayer(string path, string output, GraphProto graph)
    {
        _path = path;
        _output = output;
        foreach (var node in graph.Node)
        {
            foreach (string value in node.Output)
            {
                _producers[value] = node;
            }
        }
        foreach (var tensor in graph.Initializer)
        {
            _initializers[tensor.Name] = tensor;
        }
    }

    /// <summary>W ([C, D] row-major), b, C and D of the layer producing <paramref name="output"/>.</summary>
    public static (float[] Weights, float[] Bias, int Classes, int Features) Read(string path, string output)
    {
        ModelProto model;
        using (var stream = File.OpenRead(path))
        {
            model = ModelProto.Parser.ParseFrom(stream);
        }

        var graph = model.Graph ?? new GraphProto();
        if (!graph.Output.Any(o => o.Name == output))
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.LayerOutputNotFound, output, path,
                string.Join(", ", graph.Output.Select(o => o.Name))), "logitsOutputName");
        }

        return new OnnxLinearLayer(path, output, graph).ReadLayer();
    }

    private (float[], float[], int, int) ReadLayer()
    {
        var node = Producer(_output) ?? throw NotLinear("a graph input or an initializer, not a node");
        return node.OpType switch
        {
            "Gemm" => Gemm(node),
            "MatMul" => WithBias(MatMul(node), null),
            "Add" => Add(node),
            _ => throw NotLinear($"a {node.OpType} node"),
        };
    }

    private (float[], float[], int, int) Gemm(NodeProto gemm)
    {
        if (IntAttribute(gemm, "transA", 0) != 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.LayerGemmTransA, _output, _path), "logitsOutputName");
        }

        float alpha = FloatAttribute(gemm, "alpha", 1f), beta = FloatAttribute(gemm, "beta", 1f);
        var (weights, classes, features) = Matrix(gemm.Input[1], transposed: IntAttribute(gemm, "transB", 0) != 0);
        if (alpha != 1f)
        {
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] *= alpha;
            }
        }
        float[]? bias = gemm.Input.Count > 2 && gemm.Input[2].Length > 0 ? Constant(gemm.Input[2]).Values : null;
        if (bias is not null && beta != 1f)
        {
            for (int i = 0; i < bias.Length; i++)
            {
                bias[i] *= beta;
            }
        }
        return WithBias((weights, classes, features), bias);
    }

    private (float[], float[], int, int) Add(NodeProto add)
    {
        foreach (var (product, constant) in new[] { (add.Input[0], add.Input[1]), (add.Input[1], add.Input[0]) })
        {
            if (Producer(product) is { OpType: "MatMul" } matMul && TryConstant(constant) is { } bias)
            {
                return WithBias(MatMul(matMul), bias.Values);
            }
        }
        throw NotLinear($"an Add of {Describe(add.Input[0])} and {Describe(add.Input[1])}");
    }

    /// <summary>MatMul(h, W) with W [D, C] constant: W of the layer is its transpose.</summary>
    private (float[] Weights, int Classes, int Features) MatMul(NodeProto matMul) => Matrix(matMul.Input[1], transposed: false);

    /// <summary>A 2-d constant as the layer's [C, D] weights; <paramref name="transposed"/>: it is stored [C, D] already.</summary>
    private (float[] Weights, int Classes, int Features) Matrix(string name, bool transposed)
    {
        var (values, dims) = Constant(name);
        if (dims.Length != 2)
        {
            throw Unsupported(name, $"it has {dims.Length} dimensions, a weight matrix 2");
        }

        int rows = checked((int)dims[0]), columns = checked((int)dims[1]);
        if (transposed)
        {
            return (values, rows, columns);
        }

        var weights = new float[values.Length];
        for (int d = 0; d < rows; d++)
        {
            for (int c = 0; c < columns; c++)
            {
                weights[c * rows + d] = values[d * columns + c];
            }
        }
        return (weights, columns, rows);
    }

    private (float[], float[], int, int) WithBias((float[] Weights, int Classes, int Features) layer, float[]? bias)
    {
        if (bias is null)
        {
            return (layer.Weights, new float[layer.Classes], layer.Classes, layer.Features);
        }

        // ONNX broadcasts a bias of one value (a scalar, [1] or [1, 1]) to every class.
        if (bias.Length == 1 && layer.Classes != 1)
        {
            bias = Enumerable.Repeat(bias[0], layer.Classes).ToArray();
        }

        if (bias.Length != layer.Classes)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.LayerBiasShape, _output, bias.Length, layer.Classes, _path), "logitsOutputName");
        }

        return (layer.Weights, bias, layer.Classes, layer.Features);
    }

    private NodeProto? Producer(string value)
    {
        var node = _producers.GetValueOrDefault(value);
        // Exporters put Identity nodes between a layer and the output it is named by.
        while (node is { OpType: "Identity" } && !_initializers.ContainsKey(node.Input[0]) && _producers.TryGetValue(node.Input[0], out var next))
        {
            node = next;
        }
        return node;
    }

    private (float[] Values, long[] Dims) Constant(string name)
        => TryConstant(name) ?? throw new ArgumentException(OodErrors.Format(OodErrors.LayerWeightsNotConstant, _output, name, _path), "onnxPath");

    private (float[] Values, long[] Dims)? TryConstant(string name)
    {
        if (_initializers.TryGetValue(name, out var tensor))
        {
            return Values(tensor, name);
        }

        return _producers.GetValueOrDefault(name) switch
        {
            { OpType: "Identity" } identity => TryConstant(identity.Input[0]),
            { OpType: "Constant" } constant => ConstantNode(constant, name),
            _ => null,
        };
    }

    private (float[] Values, long[] Dims)? ConstantNode(NodeProto node, string name)
    {
        foreach (var attribute in node.Attribute)
        {
            switch (attribute.Name)
            {
                case "value" when attribute.T is not null:
                    return Values(attribute.T, name);
                case "value_float":
                    return ([attribute.F], []);
                case "value_floats":
                    return ([.. attribute.Floats], [attribute.Floats.Count]);
            }
        }
        return null;
    }

    private (float[] Values, long[] Dims) Values(TensorProto tensor, string name)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
        {
            throw Unsupported(name, "its data is in an external file; save the model with its weights inside (onnx.save with save_as_external_data=False)");
        }

        long[] dims = [.. tensor.Dims];
        long count = dims.Aggregate(1L, (a, b) => a * b);
        float[] values = (TensorProto.Types.DataType)tensor.DataType switch
        {
            TensorProto.Types.DataType.Float when tensor.RawData.Length > 0 => Floats(tensor.RawData.Span, name),
            TensorProto.Types.DataType.Float => [.. tensor.FloatData],
            TensorProto.Types.DataType.Double when tensor.RawData.Length > 0 => Doubles(tensor.RawData.Span, name),
            TensorProto.Types.DataType.Double => [.. tensor.DoubleData.Select(v => (float)v)],
            var type => throw Unsupported(name, $"its element type is {type}, not float"),
        };
        if (values.Length != count)
        {
            throw Unsupported(name, $"it holds {values.Length} values for the shape [{string.Join(", ", dims)}]");
        }

        return (values, dims);
    }

    private float[] Floats(ReadOnlySpan<byte> raw, string name)
    {
        if (raw.Length % sizeof(float) != 0)
        {
            throw Unsupported(name, $"its raw data has {raw.Length} bytes, not a whole number of floats");
        }

        var values = new float[raw.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * sizeof(float))..]);
        }
        return values;
    }

    private float[] Doubles(ReadOnlySpan<byte> raw, string name)
    {
        if (raw.Length % sizeof(double) != 0)
        {
            throw Unsupported(name, $"its raw data has {raw.Length} bytes, not a whole number of doubles");
        }

        var values = new float[raw.Length / sizeof(double)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * sizeof(double))..]);
        }
        return values;
    }

    private string Describe(string value) => _initializers.ContainsKey(value)
        ? $"the initializer '{value}'"
        : Producer(value) is { } node ? $"a {node.OpType} output '{value}'" : $"the input '{value}'";

    private static long IntAttribute(NodeProto node, string name, long fallback)
        => node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? attribute.I : fallback;

    private static float FloatAttribute(NodeProto node, string name, float fallback)
        => node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? attribute.F : fallback;

    private ArgumentException NotLinear(string what)
        => new(OodErrors.Format(OodErrors.LayerNotLinear, _output, what, _path), "logitsOutputName");

    private ArgumentException Unsupported(string name, string what)
        => new(OodErrors.Format(OodErrors.LayerTensorUnsupported, name, what, _path), "onnxPath");
}
