using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Tests;

/// <summary>The sample LeNet encoder, MNIST-size rows for it, and small hand-made models with the shapes an encoder must not have.</summary>
internal static class EncoderData
{
    public const int Pixels = 28 * 28;

    /// <summary>samples/encoder/mnist_lenet.onnx: input [batch, 1, 28, 28], outputs embedding [batch, 128] and logits [batch, 10].</summary>
    public static string LeNet => Path.Combine(RepositoryPaths.Root, "samples", "encoder", "mnist_lenet.onnx");

    /// <summary>Digit-like images: raw pixels 0..255, three quarters background, seeded.</summary>
    public static float[][] Images(int rows, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, Pixels)
            .Select(_ => random.NextDouble() < 0.75 ? 0f : (float)random.Next(1, 256)).ToArray())];
    }

    /// <summary>A view with one column "input" of 784 Single per row, as ExtractPixels writes it for LeNet.</summary>
    public static IDataView View(MLContext ml, float[][] images, int width = Pixels)
    {
        var definition = SchemaDefinition.Create(typeof(ImageRow));
        definition["input"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(images.Select(i => new ImageRow { Input = i }), definition);
    }

    /// <summary>Every value of a vector column, row by row.</summary>
    public static float[][] Column(IDataView view, string name) => [.. view.GetColumn<float[]>(name)];

    /// <summary>Writes a model "x" [batch, 4] -> Relu -> "y" [batch, 4], changed by <paramref name="change"/>, to a file.</summary>
    public static string SmallModel(string folder, string name, Action<ModelProto>? change = null, TensorProto.Types.DataType inputType = TensorProto.Types.DataType.Float)
    {
        var g = new OnnxGraphBuilder("encoder");
        g.AddInput("x", inputType, 4);
        string x = inputType == TensorProto.Types.DataType.Float ? "x"
            : g.AddNode("Cast", "x", attributes: OnnxAttributes.Int("to", (long)TensorProto.Types.DataType.Float));
        g.AddNode("Relu", x, "y");
        g.AddOutput("y", TensorProto.Types.DataType.Float, 4);
        var model = ModelProto.Parser.ParseFrom(g.ToBytes());
        change?.Invoke(model);
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>Sets the first dimension of an input or output to a fixed size, as torch.onnx.export without dynamic_axes does.</summary>
    public static void FixFirstDimension(ValueInfoProto value, long size)
        => value.Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimValue = size };

    /// <summary>The row type of <see cref="View"/>; the property is named as LeNet's input.</summary>
    public sealed class ImageRow
    {
        [ColumnName("input")]
        public float[] Input { get; set; } = [];
    }
}
