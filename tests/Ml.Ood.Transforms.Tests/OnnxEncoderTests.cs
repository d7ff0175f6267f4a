using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Issue 14: ml.Ood().ApplyOnnxEncoder computes what ML.NET's ApplyOnnxModel computes on the sample LeNet encoder, in
/// blocks of any size and one row at a time, and refuses the models and columns it cannot run, naming them.
/// </summary>
[TestClass]
public sealed class OnnxEncoderTests
{
    private static readonly string[] Outputs = ["embedding", "logits"];

    public TestContext TestContext { get; set; } = null!;

    /// <summary>
    /// 300 rows: 2 full fills and a remainder of 44 at 64 x 2; blocks of 1; a fill smaller than a block spread over 3 calls
    /// of 100; the defaults.
    /// </summary>
    [TestMethod]
    [DataRow(64, 2)]
    [DataRow(1, 1)]
    [DataRow(1, 3)]
    [DataRow(256, 3)]
    [DataRow(null, null)]
    public void BothOutputsEqualApplyOnnxModelsInEveryBlockSize(int? blockSize, int? parallelism)
    {
        var ml = new MLContext(seed: 1);
        var data = EncoderData.View(ml, EncoderData.Images(300, seed: 3));
        var reference = ml.Transforms.ApplyOnnxModel(Outputs, ["input"], EncoderData.LeNet).Fit(data).Transform(data);
        var options = new OodExecutionOptions { BlockSize = blockSize, Parallelism = parallelism };
        using var encoder = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], EncoderData.LeNet, options).Fit(data);
        var encoded = encoder.Transform(data);

        foreach (string output in Outputs)
        {
            Assert.AreEqual(reference.Schema[output].Type, encoded.Schema[output].Type, output);
            AssertClose(EncoderData.Column(reference, output), EncoderData.Column(encoded, output), output);
        }
    }

    /// <summary>An empty view (a service's batch with nothing in it, a filter that kept nothing) encodes to no rows.</summary>
    [TestMethod]
    public void AnEmptyViewEncodesToNoRowsWithTheSameSchema()
    {
        var ml = new MLContext(seed: 1);
        var data = EncoderData.View(ml, EncoderData.Images(10, seed: 5));
        var empty = EncoderData.View(ml, []);
        using var encoder = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], EncoderData.LeNet).Fit(data);

        var encoded = encoder.Transform(empty);

        Assert.IsEmpty(EncoderData.Column(encoded, "embedding"));
        Assert.IsEmpty(EncoderData.Column(encoded, "logits"));
        Assert.AreEqual(128, ((VectorDataViewType)encoded.Schema["embedding"].Type).Size);
    }

    [TestMethod]
    public void APredictionEngineEncodesEachRowAsApplyOnnxModelDoes()
    {
        var ml = new MLContext(seed: 1);
        var images = EncoderData.Images(20, seed: 4);
        var data = EncoderData.View(ml, images);
        var reference = EncoderData.Column(ml.Transforms.ApplyOnnxModel(Outputs, ["input"], EncoderData.LeNet).Fit(data).Transform(data), "logits");
        using var encoder = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], EncoderData.LeNet).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<EncoderData.ImageRow, Encoded>(encoder,
            new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = InputDefinition() });
        var perRow = images.Select(i => engine.Predict(new EncoderData.ImageRow { Input = i }).Logits.ToArray()).ToArray();
        AssertClose(reference, perRow, "logits");
    }

    [TestMethod]
    public void ThePipelineBeforeTheHeadsGetsTheSameScoresAsWithApplyOnnxModel()
    {
        var ml = new MLContext(seed: 1);
        var data = EncoderData.View(ml, EncoderData.Images(100, seed: 5));
        var plain = ml.Transforms.ApplyOnnxModel(Outputs, ["input"], EncoderData.LeNet).Append(ml.Ood().Energy("Energy", "logits")).Fit(data);
        var batched = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], EncoderData.LeNet).Append(ml.Ood().Energy("Energy", "logits")).Fit(data);
        var expected = plain.Transform(data).GetColumn<float>("Energy").ToArray();
        var actual = batched.Transform(data).GetColumn<float>("Energy").ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], 1e-5, $"row {i}");
        }
    }

    [TestMethod]
    public void AFixedBatchOfOneIsRefusedNamingTheInputAndItsShape()
    {
        string model = EncoderData.SmallModel(TestContext.TestRunResultsDirectory!, "fixed-batch.onnx", m => EncoderData.FixFirstDimension(m.Graph.Input[0], 1));
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Ood().ApplyOnnxEncoder("y", "x", model));
        StringAssert.Contains(error.Message, "input 'x' has shape [1, 4]");
        StringAssert.Contains(error.Message, "dynamic");
        StringAssert.Contains(error.Message, "ApplyOnnxModel");
    }

    [TestMethod]
    public void AFixedBatchOutputIsRefusedNamingIt()
    {
        string model = EncoderData.SmallModel(TestContext.TestRunResultsDirectory!, "fixed-output.onnx", m => EncoderData.FixFirstDimension(m.Graph.Output[0], 1));
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Ood().ApplyOnnxEncoder("y", "x", model));
        StringAssert.Contains(error.Message, "output 'y' has shape [1, 4]");
    }

    [TestMethod]
    public void AnInputThatIsNotSingleIsRefusedNamingItsType()
    {
        string model = EncoderData.SmallModel(TestContext.TestRunResultsDirectory!, "int64.onnx", inputType: TensorProto.Types.DataType.Int64);
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Ood().ApplyOnnxEncoder("y", "x", model));
        StringAssert.Contains(error.Message, "input 'x' holds Int64, expected Single");
    }

    [TestMethod]
    public void AnOutputTheModelDoesNotHaveIsRefusedListingItsOutputs()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Ood().ApplyOnnxEncoder(["embeddings"], ["input"], EncoderData.LeNet));
        StringAssert.Contains(error.Message, "no output named 'embeddings'");
        StringAssert.Contains(error.Message, "logits");
        Assert.AreEqual("outputColumnNames", error.ParamName);
    }

    [TestMethod]
    public void AModelInputLeftUnfedIsRefused()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Ood().ApplyOnnxEncoder(["logits"], ["pixels"], EncoderData.LeNet));
        StringAssert.Contains(error.Message, "input 'input' is not among the input column names (pixels)");
    }

    [TestMethod]
    public void AnOutputNamedTwiceIsRefused()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext().Ood().ApplyOnnxEncoder(["logits", "logits"], ["input"], EncoderData.LeNet));
        StringAssert.Contains(error.Message, "output column 'logits' twice");
    }

    [TestMethod]
    public void AnInputColumnOfAnotherSizeIsRefusedWithTheExpectedAndActual()
    {
        var ml = new MLContext();
        var data = EncoderData.View(ml, EncoderData.Images(3, seed: 1).Select(i => i[..100]).ToArray(), width: 100);
        var estimator = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], EncoderData.LeNet);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(error.Message, "Schema mismatch for input column 'input': expected vector of Single of size 784 (the encoder's input shape [-1, 1, 28, 28]");
        StringAssert.Contains(error.Message, "got Vector<Single, 100>");
    }

    [TestMethod]
    public void AMissingInputColumnIsRefusedInTheEstimatorsSchemaToo()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable([new { Other = 1f }]);
        var estimator = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], EncoderData.LeNet);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Shapes.Of(data.Schema)));
        StringAssert.Contains(error.Message, "Could not find input column 'input'");
    }

    [TestMethod]
    public void TheEstimatorsSchemaAnnouncesBothOutputsAsVectorsOfSingle()
    {
        var ml = new MLContext();
        var data = EncoderData.View(ml, EncoderData.Images(1, seed: 1));
        var shape = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], EncoderData.LeNet).GetOutputSchema(Shapes.Of(data.Schema));
        foreach (string output in Outputs)
        {
            var column = shape.Single(c => c.Name == output);
            Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, column.Kind, output);
            Assert.AreEqual(NumberDataViewType.Single, column.ItemType, output);
        }
    }

    [TestMethod]
    public void ARowShorterThanItsColumnDeclaresIsRefusedNamingTheRow()
    {
        var ml = new MLContext();
        var images = EncoderData.Images(5, seed: 1);
        images[3] = images[3][..700];
        var data = EncoderData.View(ml, images);
        using var encoder = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], EncoderData.LeNet).Fit(data);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => EncoderData.Column(encoder.Transform(data), "logits"));
        StringAssert.Contains(error.Message, "Row 3 of column 'input' has 700 values");
    }

    [TestMethod]
    public void ADisposedEncoderRefusesToEncode()
    {
        var ml = new MLContext();
        var data = EncoderData.View(ml, EncoderData.Images(2, seed: 1));
        var encoder = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], EncoderData.LeNet).Fit(data);
        encoder.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => encoder.Transform(data));
    }

    internal static void AssertClose(float[][] expected, float[][] actual, string what)
    {
        Assert.HasCount(expected.Length, actual);
        for (int row = 0; row < expected.Length; row++)
        {
            Assert.HasCount(expected[row].Length, actual[row]);
            for (int i = 0; i < expected[row].Length; i++)
            {
                Assert.AreEqual(expected[row][i], actual[row][i], 1e-5, $"{what}, row {row}, value {i}");
            }
        }
    }

    private static SchemaDefinition InputDefinition()
    {
        var definition = SchemaDefinition.Create(typeof(EncoderData.ImageRow));
        definition["input"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, EncoderData.Pixels);
        return definition;
    }

    /// <summary>What a PredictionEngine reads back.</summary>
    private sealed class Encoded
    {
        [ColumnName("logits")]
        [VectorType(10)]
        public float[] Logits { get; set; } = [];
    }
}
