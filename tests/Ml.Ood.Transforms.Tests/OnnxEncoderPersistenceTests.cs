using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Issue 14: a saved encoder loads with plain ml.Model.Load as ML.NET's ApplyOnnxModel and with ml.Ood().Load as the
/// batched encoder, both with the values it had; a damaged or altered encoder is refused, never run.
/// </summary>
[TestClass]
public sealed class OnnxEncoderPersistenceTests
{
    private static readonly string[] Outputs = ["embedding", "logits"];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void PlainLoadGivesMlNetsOnnxTransformerWithTheSameValues()
    {
        var (ml, data, zip, expected) = Saved();
        var loaded = ml.Model.Load(zip, out _);
        Assert.IsInstanceOfType<OnnxTransformer>(((TransformerChain<ITransformer>)loaded).First());
        AssertSame(expected, loaded.Transform(data));
    }

    [TestMethod]
    public void OodLoadGivesTheBatchedEncoderWithTheSameValues()
    {
        var (ml, data, zip, expected) = Saved();
        using var loaded = (OodLoadedModel)ml.Ood().Load(zip, out _, new OodExecutionOptions { BlockSize = 7 });
        var encoder = ((TransformerChain<ITransformer>)loaded.Model).OfType<OodOnnxEncoderTransformer>().Single();
        Assert.AreEqual(7, encoder.BlockSize);
        CollectionAssert.AreEqual(Outputs, encoder.OutputColumnNames.ToArray());
        AssertSame(expected, loaded.Transform(data));
    }

    [TestMethod]
    public void TheSavedModelIsTheUsersGraphByteForByteWithMlOodsDescriptionAfterIt()
    {
        var (_, _, zip, _) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        byte[] saved = EncoderEntry(file).Bytes[4..];
        byte[] user = File.ReadAllBytes(EncoderData.LeNet);
        CollectionAssert.AreEqual(user, saved[..user.Length]);
        var metadata = OnnxEncoderModel.ReadMetadata(saved);
        Assert.AreEqual("[\"input\"]", metadata[OnnxEncoderModel.InputsKey]);
        Assert.AreEqual("[\"embedding\",\"logits\"]", metadata[OnnxEncoderModel.OutputsKey]);
        Assert.IsTrue(metadata.ContainsKey(HeadIntegrity.HashKey));
    }

    [TestMethod]
    public void ADamagedEncoderEntryIsRefusedNamingIt()
    {
        var (ml, _, zip, _) = Saved();
        byte[] bytes = File.ReadAllBytes(zip);
        string entry = EncoderEntry(SavedModelFile.Read(bytes)).Name;
        bytes[SavedModelFile.DataOffset(bytes, entry) + 5_000] ^= 0x10;
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(bytes), out _));
        StringAssert.Contains(error.Message, entry);
    }

    [TestMethod]
    public void AnEncoderChangedBehindValidCrcsIsRefusedByItsHash()
    {
        var (ml, _, zip, _) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        var (entry, bytes) = EncoderEntry(file);
        // One weight of the first convolution, deep inside the user's graph, changes; the .zip is written anew with valid CRCs.
        byte[] changed = [.. bytes];
        changed[4 + 2_000] ^= 0x01;
        byte[] zipped = file.WithEntries(entries => entries.Select(e => e.Name == entry ? (e.Name, changed) : e)).ToZip();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(zipped), out _));
        StringAssert.Contains(error.Message, "content hash");
        StringAssert.Contains(error.Message, $"encoder in entry '{entry}'");
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Verify(Write(zipped)));
    }

    [TestMethod]
    public void AnIntactEncoderPassesVerify()
    {
        var (ml, _, zip, _) = Saved();
        var verification = ml.Ood().Verify(zip);
        Assert.AreEqual("energy", verification.Heads.Single().Kind);
    }

    [TestMethod]
    public void AnEncoderWhoseHashWasRemovedIsRefused()
    {
        var (ml, _, zip, _) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        string entry = EncoderEntry(file).Name;
        byte[] zipped = file.WithHead(entry, _ => { }, keepHash: false).ToZip();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(zipped), out _));
        StringAssert.Contains(error.Message, "no content hash");
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Verify(Write(zipped)));
    }

    [TestMethod]
    public void AUsersOwnApplyOnnxModelStaysAsItWas()
    {
        var ml = new MLContext(seed: 1);
        var data = EncoderData.View(ml, EncoderData.Images(10, seed: 6));
        var model = ml.Transforms.ApplyOnnxModel(Outputs, ["input"], EncoderData.LeNet).Append(ml.Ood().Energy("Energy", "logits")).Fit(data);
        string zip = Path.Combine(TestContext.TestRunResultsDirectory!, $"plain-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, zip);
        using var loaded = (OodLoadedModel)ml.Ood().Load(zip, out _);
        Assert.IsInstanceOfType<OnnxTransformer>(((TransformerChain<ITransformer>)loaded.Model).First());
    }

    private (MLContext Ml, IDataView Data, string Zip, float[][][] Expected) Saved()
    {
        var ml = new MLContext(seed: 1);
        var data = EncoderData.View(ml, EncoderData.Images(50, seed: 7));
        var model = ml.Ood().ApplyOnnxEncoder(Outputs, ["input"], EncoderData.LeNet).Append(ml.Ood().Energy("Energy", "logits")).Fit(data);
        string zip = Path.Combine(TestContext.TestRunResultsDirectory!, $"encoder-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, zip);
        var scored = model.Transform(data);
        return (ml, data, zip, [.. Outputs.Select(o => EncoderData.Column(scored, o)), [.. scored.GetColumn<float>("Energy").Select(e => new[] { e })]]);
    }

    private static void AssertSame(float[][][] expected, IDataView scored)
    {
        for (int i = 0; i < Outputs.Length; i++)
        {
            OnnxEncoderTests.AssertClose(expected[i], EncoderData.Column(scored, Outputs[i]), Outputs[i]);
        }

        OnnxEncoderTests.AssertClose(expected[2], [.. scored.GetColumn<float>("Energy").Select(e => new[] { e })], "Energy");
    }

    private string Write(byte[] zip)
    {
        string path = Path.Combine(TestContext.TestRunResultsDirectory!, $"damaged-{Guid.NewGuid():N}.zip");
        File.WriteAllBytes(path, zip);
        return path;
    }

    /// <summary>The entry that holds the encoder's model: the OnnxModel entry with MlOod's encoder description.</summary>
    private static (string Name, byte[] Bytes) EncoderEntry(SavedModelFile file)
        => file.Entries.Single(e => e.Name.EndsWith("/OnnxModel", StringComparison.Ordinal)
            && OnnxEncoderModel.ReadMetadata(e.Bytes[4..]).ContainsKey(OnnxEncoderModel.EncoderKey));
}
