using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Tests;

/// <summary>The graph builder writes models ONNX Runtime loads and runs, with a dynamic batch dimension.</summary>
[TestClass]
public sealed class OnnxGraphBuilderTests
{
    [TestMethod]
    public void BuiltGraphRunsWithAnyBatchSize()
    {
        // y = x @ W + b with W = [[1, 2], [3, 4], [5, 6]], b = [10, 20]; x rows (1, 0, 0), (1, 1, 1).
        var g = new OnnxGraphBuilder("affine");
        g.AddInput("x", TensorProto.Types.DataType.Float, 3);
        string product = g.AddNode("MatMul", ["x", g.AddInitializer("W", [1f, 2f, 3f, 4f, 5f, 6f], 3, 2)]);
        g.AddNode("Add", [product, g.AddInitializer("b", [10f, 20f], 2)], "y");
        g.AddOutput("y", TensorProto.Types.DataType.Float, 2);
        g.SetMetadata("mlood.test", "first");
        g.SetMetadata("mlood.test", "second");

        using var session = new InferenceSession(g.ToBytes());
        Assert.AreEqual("batch", session.InputMetadata["x"].SymbolicDimensions[0]);
        Assert.AreEqual("second", session.ModelMetadata.CustomMetadataMap["mlood.test"]);
        Assert.AreEqual(OnnxGraphBuilder.Opset, ModelProto.Parser.ParseFrom(g.ToBytes()).OpsetImport.Single().Version);

        CollectionAssert.AreEqual(new float[] { 11, 22 }, Run(session, [1, 0, 0], 1));
        CollectionAssert.AreEqual(new float[] { 11, 22, 19, 32 }, Run(session, [1, 0, 0, 1, 1, 1], 2));
    }

    [TestMethod]
    public void AttributesReachTheRuntime()
    {
        var g = new OnnxGraphBuilder("reduce");
        g.AddInput("x", TensorProto.Types.DataType.Float, 3);
        g.AddNode("ReduceMax", ["x", g.AddInitializer("axes", [1L], 1)], "y", OnnxAttributes.Int("keepdims", 0));
        g.AddOutput("y", TensorProto.Types.DataType.Float);

        using var session = new InferenceSession(g.ToBytes());
        CollectionAssert.AreEqual(new float[] { 5, -1 }, Run(session, [1, 5, 2, -3, -1, -2], 2));
    }

    [TestMethod]
    public void NamesMustBeUniqueAndShapesMustFit()
    {
        var g = new OnnxGraphBuilder("checks");
        g.AddInitializer("w", [1f, 2f], 2);
        Assert.ThrowsExactly<InvalidOperationException>(() => g.AddInitializer("w", [1f], 1));
        var error = Assert.ThrowsExactly<ArgumentException>(() => g.AddInitializer("v", [1f, 2f, 3f], 2, 2));
        StringAssert.Contains(error.Message, "Initializer 'v' has 3 values but its shape [2, 2] holds 4");
    }

    [TestMethod]
    public void HeadDescriptionRoundTripsThroughMetadata()
    {
        var info = new OodHeadInfo("energy", "Score", "EnergyScore", 10, OodHeadOutputKind.Score,
            new Dictionary<string, string> { ["temperature"] = "0.5" });
        var model = Heads.Energy(info, 0.5f);
        var read = OodHeadModel.TryRead(model.Source)!;

        Assert.AreEqual("energy", read.Info.Kind);
        Assert.AreEqual("Score", read.Info.InputColumnName);
        Assert.AreEqual("EnergyScore", read.Info.OutputColumnName);
        Assert.AreEqual(10, read.Info.InputSize);
        Assert.AreEqual(0.5f, read.Info.GetSingle("temperature"));
        Assert.IsNull(OodHeadModel.TryRead(new OnnxGraphBuilder("plain").ToBytes()), "a graph without mlood.head is not a head");
    }

    [TestMethod]
    public void NewerHeadVersionsAreRefusedWithAClearMessage()
    {
        var metadata = new Dictionary<string, string>
        {
            ["mlood.head"] = "energy", ["mlood.version"] = "99", ["mlood.input_column"] = "Score",
            ["mlood.output_column"] = "E", ["mlood.input_size"] = "3", ["mlood.output_kind"] = "Score",
        };
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => OodHeadInfo.FromMetadata(metadata));
        StringAssert.Contains(error.Message, "version 99");
    }

    private static float[] Run(InferenceSession session, float[] input, int rows)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, [rows, input.Length / rows]);
        using var outputs = session.Run(new RunOptions(), [session.InputNames[0]], [value], [session.OutputNames[0]]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
