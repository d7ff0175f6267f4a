using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Ml.Ood.Tests;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// <see cref="OodClassifierLayer"/>: its checks, and W and b read from ONNX models and ML.NET models, each checked against
/// the logits the model itself computes (ONNX Runtime, ML.NET's Score), never against the layer's own arithmetic alone.
/// </summary>
[TestClass]
public sealed class ClassifierLayerTests
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("layer-tests-");

    private static string LeNet => Path.Combine(RepositoryPaths.Root, "samples", "encoder", "mnist_lenet.onnx");

    [TestMethod]
    public void FromArraysKeepsTheRowMajorLayoutAndCopies()
    {
        float[] weights = [1, 2, 3, 4, 5, 6];
        var layer = OodClassifierLayer.FromArrays(weights, [0.5f, -0.5f], classes: 2, features: 3);
        weights[0] = 100;
        Assert.AreEqual(2, layer.Classes);
        Assert.AreEqual(3, layer.Features);
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 6 }, layer.Weights.ToArray());
        CollectionAssert.AreEqual(new float[] { 0.5f, -0.5f }, layer.Bias.ToArray());

        var fromRows = OodClassifierLayer.FromArrays([[1f, 2f, 3f], [4f, 5f, 6f]], [0.5f, -0.5f]);
        CollectionAssert.AreEqual(layer.Weights.ToArray(), fromRows.Weights.ToArray());
        // W^T for a MatMul of [batch, D] rows: [D, C].
        CollectionAssert.AreEqual(new float[] { 1, 4, 2, 5, 3, 6 }, layer.TransposedWeights());
    }

    [TestMethod]
    public void FromArraysRefusesBadShapesAndValues()
    {
        var length = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OodClassifierLayer.FromArrays(new float[5], new float[2], 2, 3));
        Assert.AreEqual("weights", length.ParamName);
        StringAssert.Contains(length.Message, "'weights' holds 5 values, but a layer of 2 classes x 3 features needs 6");
        var bias = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OodClassifierLayer.FromArrays(new float[6], new float[3], 2, 3));
        StringAssert.Contains(bias.Message, "'bias' holds 3 values, but a layer of 2 classes x 3 features needs 2");
        var classes = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OodClassifierLayer.FromArrays([], [], 0, 3));
        Assert.AreEqual("classes", classes.ParamName);
        var nan = Assert.ThrowsExactly<ArgumentException>(() => OodClassifierLayer.FromArrays([1, float.NaN, 3, 4, 5, 6], [0, 0], 2, 3));
        StringAssert.Contains(nan.Message, "'weights' has the non-finite value NaN at index 1");
        var infinite = Assert.ThrowsExactly<ArgumentException>(() => OodClassifierLayer.FromArrays(new float[6], [0, float.PositiveInfinity], 2, 3));
        Assert.AreEqual("bias", infinite.ParamName);
        var ragged = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OodClassifierLayer.FromArrays([[1f, 2f], [3f]], [0f, 0f]));
        StringAssert.Contains(ragged.Message, "Weight row 1 has 1 values, but row 0 has 2");
    }

    [TestMethod]
    public void FromOnnxReadsTheLeNetsLastGemmAndReproducesItsLogits()
    {
        var layer = OodClassifierLayer.FromOnnx(LeNet, "logits");
        Assert.AreEqual(10, layer.Classes);
        Assert.AreEqual(128, layer.Features);

        // Five inputs of pixels 0..255; the model gives both its embedding and its own logits.
        var random = new Random(3);
        const int rows = 5;
        var pixels = Enumerable.Range(0, rows * 784).Select(i => (float)(random.Next(4) == 0 ? random.Next(256) : 0)).ToArray();
        using var session = new InferenceSession(LeNet);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(pixels, [rows, 1, 28, 28]))]);
        var embedding = results.Single(r => r.Name == "embedding").AsTensor<float>().ToArray();
        var logits = results.Single(r => r.Name == "logits").AsTensor<float>().ToArray();
        AssertLogits(layer, embedding, logits, rows, "LeNet");
    }

    [TestMethod]
    public void FromOnnxNamesTheOpThatIsNotALinearLayer()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => OodClassifierLayer.FromOnnx(LeNet, "embedding"));
        StringAssert.Contains(error.Message, "Output 'embedding' of '");
        StringAssert.Contains(error.Message, "is produced by a Relu node, not by a linear layer");
    }

    [TestMethod]
    public void FromOnnxListsTheOutputsWhenOneIsMissing()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => OodClassifierLayer.FromOnnx(LeNet, "scores"));
        StringAssert.Contains(error.Message, "has no graph output 'scores'; its outputs: embedding, logits.");
        Assert.AreEqual("logitsOutputName", error.ParamName);
    }

    [TestMethod]
    [DataRow(false, DisplayName = "MatMul + Add(product, bias)")]
    [DataRow(true, DisplayName = "MatMul + Add(bias, product)")]
    public void FromOnnxReadsMatMulAndAdd(bool biasFirst)
    {
        var g = new OnnxGraphBuilder("matmul-add");
        g.AddInput("h", TensorProto.Types.DataType.Float, 3);
        string product = g.AddNode("MatMul", ["h", g.AddInitializer("W", [1f, -2f, 0.5f, 3f, 4f, -1f], 3, 2)]);
        string bias = g.AddInitializer("b", [0.25f, -7f], 2);
        g.AddNode("Add", biasFirst ? [bias, product] : [product, bias], "logits");
        g.AddOutput("logits", TensorProto.Types.DataType.Float, 2);
        var layer = OodClassifierLayer.FromOnnx(Save(g.ToBytes()), "logits");
        // MatMul's W is [D, C]; the layer's is [C, D].
        CollectionAssert.AreEqual(new float[] { 1, 0.5f, 4, -2, 3, -1 }, layer.Weights.ToArray());
        CheckAgainstOnnxRuntime(layer, g.ToBytes(), "logits", 3);
    }

    [TestMethod]
    public void FromOnnxReadsAMatMulAloneWithZeroBias()
    {
        var g = new OnnxGraphBuilder("matmul");
        g.AddInput("h", TensorProto.Types.DataType.Float, 2);
        g.AddNode("MatMul", ["h", g.AddInitializer("W", [1f, 2f, 3f, 4f, 5f, 6f], 2, 3)], "logits");
        g.AddOutput("logits", TensorProto.Types.DataType.Float, 3);
        var layer = OodClassifierLayer.FromOnnx(Save(g.ToBytes()), "logits");
        CollectionAssert.AreEqual(new float[3], layer.Bias.ToArray());
        CheckAgainstOnnxRuntime(layer, g.ToBytes(), "logits", 2);
    }

    [TestMethod]
    public void FromOnnxReadsAGemmWithAlphaBetaFloatDataAConstantBiasAndAnIdentity()
    {
        // Gemm(h, B, C) with transB = 0 (B is [D, C]), alpha 2, beta 0.5; B stored in float_data, C a Constant node, and
        // the output behind an Identity, as some exporters write them.
        var g = new OnnxGraphBuilder("gemm");
        g.AddInput("h", TensorProto.Types.DataType.Float, 3);
        string weights = g.AddInitializer("B", [1f, -2f, 0.5f, 3f, 4f, -1f], 3, 2);
        string bias = g.AddNode("Constant", [], "C", new AttributeProto
        {
            Name = "value",
            Type = AttributeProto.Types.AttributeType.Tensor,
            T = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, Dims = { 2 }, FloatData = { 1.5f, -0.75f } },
        });
        string gemm = g.AddNode("Gemm", ["h", weights, bias], null, OnnxAttributes.Float("alpha", 2f), OnnxAttributes.Float("beta", 0.5f));
        g.AddNode("Identity", [gemm], "logits");
        g.AddOutput("logits", TensorProto.Types.DataType.Float, 2);
        var model = ModelProto.Parser.ParseFrom(g.ToBytes());
        var b = model.Graph.Initializer.Single(t => t.Name == "B");
        b.FloatData.AddRange([1f, -2f, 0.5f, 3f, 4f, -1f]);
        b.RawData = Google.Protobuf.ByteString.Empty;
        byte[] bytes = Google.Protobuf.MessageExtensions.ToByteArray(model);

        var layer = OodClassifierLayer.FromOnnx(Save(bytes), "logits");
        CollectionAssert.AreEqual(new float[] { 0.75f, -0.375f }, layer.Bias.ToArray());
        CheckAgainstOnnxRuntime(layer, bytes, "logits", 3);
    }

    [TestMethod]
    public void FromOnnxRefusesComputedWeights()
    {
        var g = new OnnxGraphBuilder("computed");
        g.AddInput("h", TensorProto.Types.DataType.Float, 2);
        g.AddInput("w", TensorProto.Types.DataType.Float, 2);
        g.AddNode("MatMul", ["h", "w"], "logits");
        g.AddOutput("logits", TensorProto.Types.DataType.Float, 2);
        var error = Assert.ThrowsExactly<ArgumentException>(() => OodClassifierLayer.FromOnnx(Save(g.ToBytes()), "logits"));
        StringAssert.Contains(error.Message, "reads 'w', which is not an initializer or a Constant");
    }

    [TestMethod]
    public void FromMlNetReproducesSdcaNonCalibratedScores()
    {
        var ml = new MLContext(seed: 1);
        var data = Classes(ml);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaNonCalibrated(maximumNumberOfIterations: 20));
        var model = pipeline.Fit(data);
        var layer = OodClassifierLayer.FromMlNet(model);
        Assert.AreEqual(3, layer.Classes);
        Assert.AreEqual(4, layer.Features);
        CollectionAssert.AreEqual(layer.Weights.ToArray(), OodClassifierLayer.FromMlNet(model.LastTransformer.Model).Weights.ToArray());

        var scored = model.Transform(data);
        var features = scored.GetColumn<float[]>("Features").SelectMany(f => f).ToArray();
        var scores = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        AssertLogits(layer, features, scores, features.Length / 4, "SdcaNonCalibrated");
    }

    [TestMethod]
    public void FromMlNetReadsTheLogitsUnderAMaximumEntropySoftmax()
    {
        var ml = new MLContext(seed: 1);
        var data = Classes(ml);
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()).Fit(data);
        var layer = OodClassifierLayer.FromMlNet(model);
        var scored = model.Transform(data);
        var features = scored.GetColumn<float[]>("Features").ToArray();
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < features.Length; i++)
        {
            var logits = Logits(layer, features[i]);
            double max = logits.Max(), sum = logits.Sum(z => Math.Exp(z - max));
            for (int c = 0; c < layer.Classes; c++)
            {
                Assert.AreEqual(Math.Exp(logits[c] - max) / sum, scores[i][c], 1e-5, $"row {i}, class {c}");
            }
        }
    }

    [TestMethod]
    public void FromMlNetNamesATransformerWithoutALinearModel()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Classes(ml));
        var error = Assert.ThrowsExactly<ArgumentException>(() => OodClassifierLayer.FromMlNet(model));
        StringAssert.Contains(error.Message, "holds no linear multiclass model");
    }

    private static void CheckAgainstOnnxRuntime(OodClassifierLayer layer, byte[] model, string output, int features)
    {
        const int rows = 4;
        var random = new Random(8);
        var h = Enumerable.Range(0, rows * features).Select(_ => (float)(random.NextDouble() * 4 - 1)).ToArray();
        using var session = new InferenceSession(model);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("h", new DenseTensor<float>(h, [rows, features]))]);
        AssertLogits(layer, h, results.Single(r => r.Name == output).AsTensor<float>().ToArray(), rows, "ONNX Runtime");
    }

    /// <summary>W h + b of every row, in double, against the logits the model computed itself (1e-5, relative above 1).</summary>
    private static void AssertLogits(OodClassifierLayer layer, float[] features, float[] expectedLogits, int rows, string source)
    {
        Assert.AreEqual(rows * layer.Classes, expectedLogits.Length);
        for (int i = 0; i < rows; i++)
        {
            var logits = Logits(layer, features.AsSpan(i * layer.Features, layer.Features).ToArray());
            for (int c = 0; c < layer.Classes; c++)
            {
                double expected = expectedLogits[i * layer.Classes + c];
                Assert.AreEqual(expected, logits[c], 1e-5 * Math.Max(1, Math.Abs(expected)), $"{source}: row {i}, class {c}");
            }
        }
    }

    private static double[] Logits(OodClassifierLayer layer, float[] h)
    {
        var w = layer.Weights.Span;
        var logits = new double[layer.Classes];
        for (int c = 0; c < layer.Classes; c++)
        {
            double sum = layer.Bias.Span[c];
            for (int d = 0; d < layer.Features; d++)
            {
                sum += (double)w[c * layer.Features + d] * h[d];
            }
            logits[c] = sum;
        }
        return logits;
    }

    [TestCleanup]
    public void DeleteModels() => _folder.Delete(recursive: true);

    private string Save(byte[] model)
    {
        string path = Path.Combine(_folder.FullName, $"{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, model);
        return path;
    }

    private sealed class ClassRow
    {
        public uint Label { get; set; }

        [VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>90 rows of three classes, class k centred at 2 on axis k, with seeded noise.</summary>
    private static IDataView Classes(MLContext ml)
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 90).Select(i => new ClassRow
        {
            Label = (uint)(i % 3),
            Features = Enumerable.Range(0, 4).Select(d => (d == i % 3 ? 2f : 0f) + (float)(random.NextDouble() - 0.5)).ToArray(),
        });
        return ml.Data.LoadFromEnumerable(rows.ToList());
    }
}
