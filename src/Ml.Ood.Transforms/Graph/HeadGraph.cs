using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Graph;

/// <summary>
/// One head's ONNX graph while it is written: its input, cached constants, and <see cref="Finish"/>, which makes a
/// value the head's output. The score pieces (<see cref="ScorePieces"/>) take and return value names, so that a head
/// is its formula written with them.
/// </summary>
internal sealed class HeadGraph
{
    private readonly OodHeadInfo _info;
    private readonly Dictionary<long, string> _axes = [];
    private readonly Dictionary<int, string> _ones = [];
    private int _constants;
    private ExternalBank? _external;

    private HeadGraph(OodHeadInfo info)
    {
        _info = info;
        Builder = OodHeadModel.Start(info);
    }

    /// <summary>The builder underneath, for nodes no piece writes.</summary>
    public OnnxGraphBuilder Builder { get; }

    /// <summary>The graph's input: the head's input column, [batch, <see cref="InputSize"/>].</summary>
    public string Input => _info.InputColumnName;

    /// <summary>The width of the input.</summary>
    public int InputSize => _info.InputSize;

    public static HeadGraph Start(OodHeadInfo info) => new(info);

    /// <summary>An int64 [1] constant holding <paramref name="axis"/>, written once per graph.</summary>
    public string Axis(long axis)
    {
        if (!_axes.TryGetValue(axis, out string? name))
        {
            _axes[axis] = name = Builder.AddInitializer($"axis_{axis}", [axis], 1);
        }

        return name;
    }

    /// <summary>A float [<paramref name="width"/>, 1] column of ones, written once per width (<see cref="ScorePieces.RowSum"/>).</summary>
    public string Ones(int width)
    {
        if (!_ones.TryGetValue(width, out string? name))
        {
            _ones[width] = name = Builder.AddInitializer($"ones_{width}", Enumerable.Repeat(1f, width).ToArray(), width, 1);
        }

        return name;
    }

    /// <summary>A float scalar constant.</summary>
    public string Constant(float value) => Builder.AddInitializer($"constant_{_constants++}", [value]);

    /// <summary>An int64 [1] constant.</summary>
    public string Constant(long value) => Builder.AddInitializer($"constant_{_constants++}", [value], 1);

    /// <summary>Fitted state (a bank, a weight matrix) as a float initializer of shape <paramref name="dims"/>.</summary>
    public string Weights(string name, ReadOnlySpan<float> values, params long[] dims) => Builder.AddInitializer(name, values, dims);

    /// <summary>
    /// Bank rows (each of <paramref name="dimensions"/> floats) as one float initializer transposed to [dimensions, rows].
    /// A bank over <see cref="ExternalBankWriter.ThresholdBytes"/> (ONNX's 2 GB) is written straight to an external data
    /// file, which the model refers to; at most one such bank per graph.
    /// </summary>
    public string TransposedRows(string name, IReadOnlyList<float[]> rows, int dimensions)
    {
        int count = rows.Count;
        if (!ExternalBankWriter.IsLarge(count, dimensions))
        {
            var transposed = new float[(long)count * dimensions];
            for (int r = 0; r < count; r++)
            {
                var row = rows[r];
                for (int d = 0; d < dimensions; d++)
                {
                    transposed[(long)d * count + r] = row[d];
                }
            }
            return Weights(name, transposed, dimensions, count);
        }
        if (_external is not null)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.LargeHeadSecondBank, name));
        }

        _external = ExternalBankWriter.Write(rows, dimensions);
        return Builder.AddExternalInitializer(name, Persistence.ExternalDataFiles.DataFileName, _external.Length, dimensions, count);
    }

    public string Node(string opType, params string[] inputs) => Builder.AddNode(opType, inputs);

    public string Node(string opType, string[] inputs, params AttributeProto[] attributes) => Builder.AddNode(opType, inputs, attributes: attributes);

    /// <summary>Makes <paramref name="value"/> the head's output (its score, or its decision) and serialises the graph.</summary>
    public OodHeadModel Finish(string value)
    {
        Builder.RenameValue(value, OodHeadModel.OutputNameFor(_info.OutputKind));
        return OodHeadModel.Finish(Builder, _info, _external);
    }
}
