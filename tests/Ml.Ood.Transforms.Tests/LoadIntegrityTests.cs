using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Issue 10, defects 3 and 7: ml.Ood().Load (and Verify) refuse a damaged model with an InvalidDataException that
/// names the entry or the head, and never load one that would score differently.
/// </summary>
[TestClass]
public sealed class LoadIntegrityTests
{
    private static readonly float[][] Logits = LogitsData.Random(rows: 20, classes: 5, scale: 3, seed: 21);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void AnIntactModelLoadsVerifiesAndScoresAsSaved()
    {
        var (ml, data, zip, expected) = Saved();
        var verification = ml.Ood().Verify(zip);
        Assert.HasCount(2, verification.Heads);
        Assert.IsTrue(verification.Heads.All(h => h.HashVerified), verification.ToString());
        using var loaded = (IDisposable)ml.Ood().Load(zip, out _);
        CollectionAssert.AreEqual(expected, Score((ITransformer)loaded, data));
    }

    [TestMethod]
    public void ADamagedEntryIsRefusedNamingIt()
    {
        var (ml, _, zip, _) = Saved();
        byte[] bytes = File.ReadAllBytes(zip);
        string entry = SavedModelFile.Read(bytes).HeadEntryWriting("Energy");
        bytes[SavedModelFile.DataOffset(bytes, entry) + 40] ^= 0x10;
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(bytes), out _));
        StringAssert.Contains(error.Message, entry);
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Verify(Write(bytes)));
    }

    [TestMethod]
    public void AHeadChangedBehindValidCrcsIsRefusedByItsHash()
    {
        var (ml, _, zip, _) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        string entry = file.HeadEntryWriting("Energy");
        // The temperature, 2, becomes 3: a head that would score silently differently.
        var two = Google.Protobuf.ByteString.CopyFrom(BitConverter.GetBytes(2f));
        byte[] changed = file.WithHead(entry, m => m.Graph.Initializer.Single(t => t.RawData.Equals(two)).RawData =
            Google.Protobuf.ByteString.CopyFrom(BitConverter.GetBytes(3f)), keepHash: true).ToZip();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(changed), out _));
        StringAssert.Contains(error.Message, entry);
        StringAssert.Contains(error.Message, "content hash");
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Verify(Write(changed)));
    }

    [TestMethod]
    public void AHeadSavedWithoutAHashLoadsWithAWarning()
    {
        var (ml, data, zip, expected) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        byte[] old = file.WithHead(file.HeadEntryWriting("MaxLogit"), _ => { }, keepHash: false).ToZip();
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning)
            {
                warnings.Add(e.RawMessage);
            }
        };
        using var loaded = (IDisposable)ml.Ood().Load(new MemoryStream(old), out _);
        CollectionAssert.AreEqual(expected, Score((ITransformer)loaded, data));
        Assert.IsTrue(warnings.Any(w => w.Contains("no content hash", StringComparison.Ordinal)), string.Join(" | ", warnings));
        Assert.IsFalse(ml.Ood().Verify(Write(old)).Heads.Single(h => h.OutputColumnName == "MaxLogit").HashVerified);
    }

    [TestMethod]
    [DataRow("mlood.input_size")]
    [DataRow("mlood.output_kind")]
    [DataRow("mlood.input_column")]
    public void AMissingSettingIsNamed(string key)
    {
        var (ml, _, zip, _) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        byte[] damaged = file.WithHead(file.HeadEntryWriting("MaxLogit"), m => m.MetadataProps.Single(p => p.Key == key).Key = key + "x", keepHash: false).ToZip();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(damaged), out _));
        StringAssert.Contains(error.Message, key);
    }

    [TestMethod]
    public void ASettingThatDisagreesWithTheColumnsMlNetSavedIsRefused()
    {
        var (ml, _, zip, _) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        // The head would write "Renamed" where the saved pipeline writes "MaxLogit".
        byte[] damaged = file.WithHead(file.HeadEntryWriting("MaxLogit"),
            m => m.MetadataProps.Single(p => p.Key == OodHeadInfo.OutputColumnKey).Value = "Renamed", keepHash: false).ToZip();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(damaged), out _));
        StringAssert.Contains(error.Message, "Renamed");
        StringAssert.Contains(error.Message, "MaxLogit");
    }

    [TestMethod]
    public void AnInvalidHeadGraphFailsTheLoadNamingTheHead()
    {
        var (ml, _, zip, _) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        byte[] damaged = file.WithHead(file.HeadEntryWriting("MaxLogit"), m => m.Graph.Node[0].OpType = "NoSuchOperator", keepHash: false).ToZip();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(damaged), out _));
        StringAssert.Contains(error.Message, "MaxLogit");
        StringAssert.Contains(error.Message, "Logits");
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Verify(Write(damaged)));
    }

    [TestMethod]
    public void ADuplicatedEntryIsRefusedAndLeavesNoFolder()
    {
        var (ml, _, zip, _) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        string entry = file.HeadEntryWriting("Energy");
        byte[] duplicated = file.WithEntries(entries => entries.Concat([entries.Single(e => e.Name == entry)])).ToZip();
        var before = MlOodFolders();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(duplicated), out _));
        StringAssert.Contains(error.Message, entry);
        CollectionAssert.AreEquivalent(before, MlOodFolders(), "a refused load leaves no private folder behind");
    }

    [TestMethod]
    public void AHeadThatIsNotEvenReadableProtobufIsRefused()
    {
        // Found by the long fuzz run: a head whose bytes no longer parse went to ML.NET as saved, and ML.NET's own
        // failure came out as a TargetInvocationException (invalid UTF-8) or an EndOfStreamException (a cut length).
        var (ml, _, zip, _) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        string entry = file.HeadEntryWriting("MaxLogit");
        byte[] model = file.Entries.Single(e => e.Name == entry).Bytes;
        int name = model.AsSpan().IndexOf("MaxLogit"u8);
        var invalidUtf8 = (byte[])model.Clone();
        invalidUtf8[name + 2] = 0xEC;
        var cut = model[..^7];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(cut, cut.Length - 4);
        foreach (var damaged in new[] { invalidUtf8, cut })
        {
            byte[] rezipped = file.WithEntries(entries => entries.Select(e => e.Name == entry ? (e.Name, damaged) : e)).ToZip();
            Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(rezipped), out _));
        }
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void AHeadWhoseHeadSettingIsDamagedIsStillCheckedAsAHead(bool keepHash)
    {
        // Found by the long fuzz run: with its mlood.head key renamed, a head was no longer recognised, went to ML.NET as a
        // plain ONNX model, and scored through ML.NET's session, 1 ulp away from the batched head: silently different.
        var (ml, _, zip, _) = Saved();
        var file = SavedModelFile.Read(File.ReadAllBytes(zip));
        byte[] damaged = file.WithHead(file.HeadEntryWriting("Energy"),
            m => m.MetadataProps.Single(p => p.Key == OodHeadInfo.HeadKey).Key = "mlood.headx", keepHash).ToZip();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(damaged), out _));
        StringAssert.Contains(error.Message, keepHash ? "content hash" : OodHeadInfo.HeadKey);
    }

    [TestMethod]
    public void ATruncatedFileIsRefused()
    {
        var (ml, _, zip, _) = Saved();
        byte[] bytes = File.ReadAllBytes(zip);
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(bytes[..(bytes.Length / 2)]), out _));
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(new MemoryStream(bytes[..(bytes.Length - 10)]), out _));
    }

    private (MLContext Ml, IDataView Data, string Zip, float[] Expected) Saved()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var model = ml.Ood().Energy("Energy", "Logits", temperature: 2f).Append(ml.Ood().MaxLogit("MaxLogit", "Logits")).Fit(data);
        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"integrity-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, data.Schema, zip);
        return (ml, data, zip, Score(model, data));
    }

    private static float[] Score(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        return [.. scored.GetColumn<float>("Energy"), .. scored.GetColumn<float>("MaxLogit")];
    }

    private string Write(byte[] zip)
    {
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"damaged-{Guid.NewGuid():N}.zip");
        File.WriteAllBytes(path, zip);
        return path;
    }

    private static string[] MlOodFolders() => Directory.GetDirectories(Path.GetTempPath(), "mlood-*");
}
