using System.Runtime.InteropServices;
using Microsoft.ML;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// AdaNeg's fitted head as an ONNX model, and back: the graph is the vanilla grouped NegLabel score (the starting state's
/// "graph 1" of docs/TEST-TIME-HEADS.md), whose initializers carry what the state needs: the unit class and negative
/// label embeddings (all M negatives, in the given order) and the group order; the settings are the head's metadata.
/// The state itself computes in C# (<see cref="AdaNegState"/>); a fitted and a loaded head both start from
/// <see cref="Start"/>, so they cannot differ.
/// </summary>
internal static class AdaNegModel
{
    private const string IdLabels = "id_labels_t";
    private const string NegativeLabels = "negative_labels_t";
    private const string GroupOrder = "group_order";

    /// <summary>The head's ONNX model: -conf_in_vanilla, higher = OOD, with the rule's labels as initializers.</summary>
    public static OodHeadModel Build(AdaNegRule rule, OodHeadInfo info)
    {
        var g = HeadGraph.Start(info);
        int width = rule.Width;
        int ids = rule.IdCount;
        int negatives = rule.NegativeCount;
        int groups = rule.Settings.Groups;
        float temperature = rule.Settings.Temperature;
        string image = g.UnitRows(g.Input);
        string idLse = g.LogSumExp(g.Divide(g.Cosines(image, IdLabels, Transpose(rule.AllText[..(ids * width)], ids, width), width, ids), temperature), keepDims: true);
        string all = g.Cosines(image, NegativeLabels, Transpose(rule.AllText[(ids * width)..], negatives, width), width, negatives);
        var order = rule.GroupOrder.ToArray().Select(i => (long)i).ToArray();
        string kept = g.Node("Gather", [all, g.Builder.AddInitializer(GroupOrder, order, order.Length)], OnnxAttributes.Int("axis", 1));
        string grouped = g.Node("Reshape", g.Divide(kept, temperature), g.Builder.AddInitializer("group_shape", [0L, groups, order.Length / groups], 3));
        string negativeLse = g.Node("Squeeze", g.LogSumExp(grouped, axis: 2, keepDims: true), g.Axis(2));
        string share = g.Node("Reciprocal", g.Node("Add", g.Node("Exp", g.Node("Sub", negativeLse, idLse)), g.Constant(1f)));
        string mean = g.Divide(g.Node("Squeeze", g.RowSum(share, groups), g.Axis(1)), groups);
        return g.Finish(g.Node("Neg", mean));
    }

    /// <summary>A fitted or loaded AdaNeg head: its starting state (every memory holding its label's text) and its head.</summary>
    public static TestTimeHead Start(MLContext context, OodHeadModel model, OodHeadExecution execution)
    {
        var rule = ReadRule(model);
        return new TestTimeHead(new AdaNegState(rule), new HeadState(context, model, execution));
    }

    /// <summary>The rule from the model's settings and initializers, every size and the group order checked.</summary>
    /// <exception cref="InvalidDataException">The model's settings or initializers do not fit together.</exception>
    public static AdaNegRule ReadRule(OodHeadModel model)
    {
        var settings = HeadSettings.Read<AdaNegSettings>(model.Info);
        var options = new AdaNegOptions
        {
            MemoryLength = settings.MemoryLength,
            Threshold = settings.Threshold,
            Gap = settings.Gap,
            Lambda = settings.Lambda,
            Groups = settings.Groups,
            Temperature = settings.Temperature,
            UpdateBatch = settings.UpdateBatch,
            ShuffleSeed = settings.ShuffleSeed,
            SampleAdaptiveBeta = settings.SampleAdaptiveBeta,
        };
        int width = model.Info.InputSize;
        int ids = settings.IdLabels;
        int negatives = settings.NegativeLabels;
        try
        {
            AdaNegStreams.Require(ids >= 1 && negatives >= 1 && width >= 1, $"{ids} class labels, {negatives} negative labels of width {width}");
            options.Check(negatives);
            var graph = ModelProto.Parser.ParseFrom(model.Source.ToArray()).Graph;
            var idColumns = Initializer(graph, IdLabels, (long)ids * width);
            var negativeColumns = Initializer(graph, NegativeLabels, (long)negatives * width);
            var text = new float[(ids + negatives) * width];
            Transpose(MemoryMarshal.Cast<byte, float>(idColumns), width, ids).CopyTo(text, 0);
            Transpose(MemoryMarshal.Cast<byte, float>(negativeColumns), width, negatives).CopyTo(text, ids * width);
            int kept = negatives - negatives % options.Groups;
            var orderBytes = Initializer(graph, GroupOrder, kept, sizeof(long));
            var order = MemoryMarshal.Cast<byte, long>(orderBytes).ToArray().Select(i => (int)i).ToArray();
            AdaNegStreams.Require(order.Order().SequenceEqual(Enumerable.Range(0, kept)), "the group order is not a permutation of the kept negatives");
            return new AdaNegRule(options, text, ids, width, order);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.AdaNegModelInvalid, model.Info.OutputColumnName, e.Message), e);
        }
    }

    private static byte[] Initializer(GraphProto graph, string name, long count, int size = sizeof(float))
    {
        var tensor = graph.Initializer.FirstOrDefault(t => t.Name == name);
        AdaNegStreams.Require(tensor is not null && tensor.RawData.Length == count * size, $"initializer '{name}' is missing or not {count} values");
        return tensor!.RawData.ToByteArray();
    }

    /// <summary>A rows x columns row-major matrix transposed.</summary>
    private static float[] Transpose(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        var transposed = new float[matrix.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                transposed[(long)c * rows + r] = matrix[r * columns + c];
            }
        }
        return transposed;
    }
}
