using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Tests;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// How large heads stay small in memory: external data that ONNX Runtime maps, models kept in anonymous files,
/// stubs that keep heads out of ML.NET's loader, and runs sliced to a head's row cap.
/// </summary>
[TestClass]
public sealed class LargeHeadTests
{
    private const int Dims = 64;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ExternalDataFormMovesLargeInitializersToAlignedOffsetsAndScoresAlike()
    {
        var (model, weights) = MaxProjectionHead(columns: 8192, seed: 3);
        string folder = Directory.CreateTempSubdirectory("mlood-test-").FullName;
        try
        {
            string path = Path.Combine(folder, "head.onnx");
            using (var input = new MemoryStream(model.Source.ToArray()))
            {
                Assert.AreEqual(1, OnnxExternalData.Write(input, model.Source.Length, path, "head.onnx.data", minBytes: 1 << 20));
            }

            var written = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            var bank = written.Graph.Initializer.Single(t => t.Name == "weights");
            Assert.AreEqual(TensorProto.Types.DataLocation.External, bank.DataLocation);
            Assert.IsTrue(bank.RawData.IsEmpty, "the moved tensor keeps no inline copy");
            var entries = bank.ExternalData.ToDictionary(e => e.Key, e => e.Value);
            Assert.AreEqual("head.onnx.data", entries["location"]);
            Assert.AreEqual(0, long.Parse(entries["offset"]) % 4096, "offsets are page-aligned");
            Assert.AreEqual(weights.Length * sizeof(float), long.Parse(entries["length"]));
            var axes = written.Graph.Initializer.Single(t => t.Name == "axis_1");
            Assert.AreEqual(TensorProto.Types.DataLocation.Default, axes.DataLocation, "small tensors stay inline");
            CollectionAssert.AreEqual(new long[] { Dims, 8192 }, bank.Dims.ToArray());
            Assert.AreEqual(model.Info.ToString(), OodHeadInfo.FromMetadata(written.MetadataProps.ToDictionary(p => p.Key, p => p.Value))!.ToString());

            var queries = Queries(rows: 7, seed: 4);
            using var fromPath = new InferenceSession(path);
            using var fromBytes = new InferenceSession(model.Source.ToArray());
            CollectionAssert.AreEqual(Run(fromBytes, queries), Run(fromPath, queries));
            HeadHarness.AssertAllClose(Expected(weights, 8192, queries), Run(fromPath, queries), 1e-4, "external data");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void SessionsOfLargeHeadsLoadThroughExternalDataAndLeaveNoFiles()
    {
        // 64 x 65,536 floats: 16.8 MB, over the size from which a session maps its initializers.
        var (model, weights) = MaxProjectionHead(columns: 65536, seed: 5);
        Assert.IsTrue(model.Source.Length >= ExternalDataFiles.MinModelBytes);
        var queries = Queries(rows: 9, seed: 6);

        using var session = new HeadSession(model, new OodHeadExecution(null, true, 16, Parallelism: 2));
        var scores = new float[queries.Length];
        session.Run(queries.SelectMany(q => q).ToArray(), queries.Length, scores);

        HeadHarness.AssertAllClose(Expected(weights, 65536, queries), scores, 1e-4, "large head");
        if (!OperatingSystem.IsWindows())
        {
            Assert.IsFalse(session.HoldsExternalDataFiles(model), "the files are deleted once ONNX Runtime has mapped them");
        }
    }

    [TestMethod]
    public void RunsAreSlicedToTheHeadsRowCap()
    {
        var ml = new MLContext(seed: 1);
        var logits = LogitsData.Random(rows: 25, classes: 4, scale: 3, seed: 2);
        var data = LogitsData.Create(ml, logits);
        using var energy = ml.Ood().Energy("Energy", "Logits").Fit(data);
        var capped = Heads.Energy(energy.Head.WithMaxRowsPerRun(3), temperature: 1f);
        var read = OodHeadModel.TryRead(capped.Source.ToArray())!;
        Assert.AreEqual(3, read.Info.MaxRowsPerRun, "the cap is saved in the metadata");

        using var head = new OodHeadTransformer(ml, read, new OodHeadExecution(null, true, 10, Parallelism: 2));
        HeadHarness.AssertAllClose(logits.Select(z => LogitScores.Energy(z)).ToArray(), HeadHarness.Batched(head, data, "Energy"), 1e-5,
            "blocks of 10 rows run as 3 + 3 + 3 + 1");
    }

    [TestMethod]
    [DataRow(OodHeadOutputKind.Score)]
    [DataRow(OodHeadOutputKind.Decision)]
    public void StubsHaveTheHeadsSignatureAndOutputZeros(OodHeadOutputKind kind)
    {
        var info = new OodHeadInfo("big", "Embedding", "Out", Dims, kind, new Dictionary<string, string> { ["p"] = "1" });
        byte[] stub = HeadStubs.BuildStub(info, "Transform_000/OnnxModel");
        var metadata = OodHeadModel.ReadMetadata(OnnxModelSource.FromBytes(stub));
        Assert.AreEqual("Transform_000/OnnxModel", metadata[HeadStubs.StubIdKey]);
        Assert.AreEqual(info.ToString(), OodHeadInfo.FromMetadata(metadata)!.ToString());

        using var session = new InferenceSession(stub);
        Assert.AreEqual("Embedding", session.InputMetadata.Keys.Single());
        string output = OodHeadModel.OutputNameFor(kind);
        Assert.AreEqual(output, session.OutputMetadata.Keys.Single());
        using var input = OrtValue.CreateTensorValueFromMemory(new float[3 * Dims], [3, Dims]);
        using var results = session.Run(new RunOptions(), ["Embedding"], [input], [output]);
        var shape = results[0].GetTensorTypeAndShape().Shape;
        CollectionAssert.AreEqual(new long[] { 3 }, shape);
        if (kind == OodHeadOutputKind.Score)
        {
            CollectionAssert.AreEqual(new float[3], results[0].GetTensorDataAsSpan<float>().ToArray());
        }
        else
        {
            CollectionAssert.AreEqual(new bool[3], results[0].GetTensorDataAsSpan<bool>().ToArray());
        }
    }

    [TestMethod]
    public void ExternalDataFilesGiveTheModelBackInlineAndOutliveTheirPaths()
    {
        var (model, weights) = MaxProjectionHead(columns: 8192, seed: 8);
        byte[] inline = model.Source.ToArray();
        var files = ExternalDataFiles.Create(new MemoryStream(inline), inline.Length);
        using (var source = OnnxModelSource.FromExternalData(files))
        {
            CollectionAssert.AreEqual(inline, source.ToArray(), "the inline model read back is the model written");
            Assert.AreEqual(model.Info.ToString(), OodHeadInfo.FromMetadata(OodHeadModel.ReadMetadata(source))!.ToString());

            Assert.IsTrue(files.HasPaths);
            string firstPath = files.ModelPath();
            if (!OperatingSystem.IsWindows())
            {
                Assert.IsTrue(files.ReleasePaths());
                Assert.IsFalse(File.Exists(firstPath), "unlinked");
                CollectionAssert.AreEqual(inline, source.ToArray(), "still readable through the open handle");
            }
            var queries = Queries(rows: 3, seed: 1);
            using var session = new InferenceSession(files.ModelPath());
            HeadHarness.AssertAllClose(Expected(weights, 8192, queries), Run(session, queries), 1e-4, "files written again from the handle");
        }
        Assert.ThrowsExactly<ObjectDisposedException>(() => files.ReadInline());
    }

    [TestMethod]
    public void AnonymousTemporaryFilesHaveNoPath()
    {
        using var anonymous = TemporaryFiles.CreateAnonymous("onnx");
        anonymous.Write([1, 2, 3]);
        if (!OperatingSystem.IsWindows())
        {
            Assert.IsFalse(File.Exists(anonymous.Name), "no path leads to it, even while it is open");
        }
    }

    [TestMethod]
    public void AGraphWithHeadMetadataButAnotherSignatureIsLoadedAsSaved()
    {
        // A user's graph merged with an exported head keeps the head's metadata but has outputs of its own.
        var ml = new MLContext(seed: 1);
        var logits = LogitsData.Random(rows: 8, classes: 5, scale: 2, seed: 4);
        var data = LogitsData.Create(ml, logits);
        var info = new OodHeadInfo("max_logit", "Logits", "Out", 5, OodHeadOutputKind.Score, new Dictionary<string, string>());
        var g = OodHeadModel.Start(info);
        g.AddNode("ReduceMax", ["Logits", g.AddInitializer("axis_1", [1L], 1)], OodHeadModel.ScoreOutputName, OnnxAttributes.Int("keepdims", 0));
        g.AddNode("Neg", "Logits", "negated");
        g.AddOutput("negated", TensorProto.Types.DataType.Float, 5);
        string folder = TestContext.TestRunResultsDirectory ?? Path.GetTempPath();
        string onnx = Path.Combine(folder, $"merged-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(onnx, OodHeadModel.Finish(g, info).Source.ToArray());
        var own = ml.Transforms.ApplyOnnxModel([OodHeadModel.ScoreOutputName, "negated"], ["Logits"], onnx).Fit(data);
        string zip = Path.Combine(folder, $"merged-{Guid.NewGuid():N}.zip");
        ml.Model.Save(own, data.Schema, zip);

        var scored = ml.Ood().Load(zip, out _).Transform(data);
        HeadHarness.AssertAllClose(logits.Select(z => z.Max()).ToArray(),
            scored.GetColumn<float[]>(OodHeadModel.ScoreOutputName).Select(v => v.Single()).ToArray(), 0, "max logit");
        Assert.AreEqual(-logits[3][2], scored.GetColumn<float[]>("negated").ElementAt(3)[2]);
    }

    [TestMethod]
    public void AHeadInsideAUsersOwnOnnxTransformerIsLoadedAsSaved()
    {
        // An exported head applied with ML.NET's ApplyOnnxModel has MlOod metadata but is not MlOod's saved form:
        // ml.Ood().Load must not leave it a stub.
        var ml = new MLContext(seed: 1);
        var logits = LogitsData.Random(rows: 12, classes: 5, scale: 4, seed: 9);
        var data = LogitsData.Create(ml, logits);
        using var energy = ml.Ood().Energy("Energy", "Logits").Fit(data);
        string folder = TestContext.TestRunResultsDirectory ?? Path.GetTempPath();
        string onnx = Path.Combine(folder, $"energy-{Guid.NewGuid():N}.onnx");
        energy.ExportOnnx(onnx);
        var own = ml.Transforms.ApplyOnnxModel(OodHeadModel.ScoreOutputName, "Logits", onnx).Fit(data);
        string zip = Path.Combine(folder, $"own-onnx-{Guid.NewGuid():N}.zip");
        ml.Model.Save(own, data.Schema, zip);

        var loaded = ml.Ood().Load(zip, out _);
        var scores = loaded.Transform(data).GetColumn<float[]>(OodHeadModel.ScoreOutputName).Select(v => v.Single()).ToArray();
        HeadHarness.AssertAllClose(logits.Select(z => LogitScores.Energy(z)).ToArray(), scores, 1e-5, "the user's OnnxTransformer");
        (loaded as IDisposable)?.Dispose();
    }

    /// <summary>A head whose score is max_j (x W)_j over a random W of [64, columns]: one large initializer.</summary>
    private static (OodHeadModel Model, float[] Weights) MaxProjectionHead(int columns, int seed)
    {
        var info = new OodHeadInfo("max_projection", "Embedding", "Score", Dims, OodHeadOutputKind.Score, new Dictionary<string, string>());
        var random = new Random(seed);
        var weights = Enumerable.Range(0, Dims * columns).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var g = OodHeadModel.Start(info);
        string axis = g.AddInitializer("axis_1", [1L], 1);
        string product = g.AddNode("MatMul", [info.InputColumnName, g.AddInitializer("weights", weights, Dims, columns)]);
        g.AddNode("ReduceMax", [product, axis], OodHeadModel.ScoreOutputName, OnnxAttributes.Int("keepdims", 0));
        return (OodHeadModel.Finish(g, info), weights);
    }

    private static float[][] Queries(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, Dims).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToArray();
    }

    private static float[] Expected(float[] weights, int columns, float[][] queries)
        => queries.Select(q => (float)Enumerable.Range(0, columns)
            .Max(j => Enumerable.Range(0, Dims).Sum(d => (double)q[d] * weights[d * columns + j]))).ToArray();

    private static float[] Run(InferenceSession session, float[][] queries)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(queries.SelectMany(q => q).ToArray(), [queries.Length, Dims]);
        using var results = session.Run(new RunOptions(), ["Embedding"], [input], [OodHeadModel.ScoreOutputName]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
