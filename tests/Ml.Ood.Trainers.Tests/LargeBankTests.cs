using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// Banks over ONNX's 2 GB limit (issue 15, item 1), CI-sized: the size from which a bank is external data is lowered to
/// 100 KB for the calling test (ExternalBankWriter.OverrideThreshold), so a 1,200 x 64 bank (307 KB) takes the large form.
/// The real > 2 GB run is tests/Ml.Ood.Benchmarks/big-bank.sh.
/// </summary>
[TestClass]
public sealed class LargeBankTests
{
    private const int Dims = 64;
    private const long Threshold = 100_000;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ALargeBankIsExternalFromFitAndScoresBitForBitAsTheSmallForm()
    {
        var ml = new MLContext(seed: 1);
        var (train, test, queries, bank) = Data(ml, seed: 3);
        using var small = ml.Ood().Knn("KnnScore", "Embedding", k: 5).Fit(train);
        using var large = FitLarge(ml, train);
        Assert.IsNull(small.State.Model.Source.External, "a small bank stays inline");
        Assert.IsTrue(large.State.Model.Source.External!.IsLarge, "over the threshold the bank is external data from the start");
        Assert.AreEqual(bank.Length * Dims * 4L, large.State.Model.Source.External.DataLength);

        float[] expected = small.Transform(test).GetColumn<float>("KnnScore").ToArray();
        CollectionAssert.AreEqual(expected, large.Transform(test).GetColumn<float>("KnnScore").ToArray(), "large form, batched");
        EmbeddingData.AssertClose(queries.Select(q => BruteForce(bank, q, 5)).ToArray(), expected, "brute force");
        var engine = ml.Model.CreatePredictionEngine<EmbeddingRow, Scored>(large, inputSchemaDefinition: Definition(ml));
        Assert.AreEqual(expected[3], engine.Predict(new EmbeddingRow { Embedding = queries[3] }).KnnScore, "row by row");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => large.ExportOnnx(new MemoryStream())).Message,
            "over the 2 GB limit of one ONNX message");
        string onnx = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"knn-external-{Guid.NewGuid():N}.onnx");
        Assert.ThrowsExactly<InvalidOperationException>(() => large.ExportOnnx(onnx));
        Assert.IsFalse(File.Exists(onnx), "refused before the file is created");
    }

    [TestMethod]
    public void ALargeBankSavesAsEntriesOfItsOwnAndLoadsWithOodLoadBitForBit()
    {
        var ml = new MLContext(seed: 1);
        var (train, test, _, bank) = Data(ml, seed: 5);
        using var large = FitLarge(ml, train);
        float[] expected = large.Transform(test).GetColumn<float>("KnnScore").ToArray();
        string zip = Save(ml, large, train.Schema);

        using (var archive = ZipFile.OpenRead(zip))
        {
            var bankEntry = archive.Entries.Single(e => e.Name == LargeHeadEntry.BankEntryName);
            Assert.AreEqual(bank.Length * Dims * 4L, bankEntry.Length);
            Assert.IsTrue(archive.Entries.Single(e => e.Name == LargeHeadEntry.ModelEntryName).Length < 20_000, "the model alone is small");
            Assert.IsTrue(archive.Entries.Single(e => e.Name == "OnnxModel").Length < 20_000, "ML.NET's OnnxTransformer holds a stub");
        }
        var verified = ml.Ood().Verify(zip);
        Assert.AreEqual("knn", verified.Heads.Single().Kind);
        Assert.IsTrue(verified.Heads.Single().HashVerified);

        using var loaded = (OodHeadTransformer)ml.Ood().Load(zip, out _);
        Assert.IsTrue(loaded.State.Model.Source.External!.IsLarge);
        CollectionAssert.AreEqual(expected, loaded.Transform(test).GetColumn<float>("KnnScore").ToArray(), "ml.Ood().Load");
        Assert.AreEqual(new KnnSettings(5, bank.Length), loaded.GetSettings<KnnSettings>());

        string again = Save(ml, loaded, train.Schema);
        using var reloaded = (OodHeadTransformer)ml.Ood().Load(again, out _);
        CollectionAssert.AreEqual(expected, reloaded.Transform(test).GetColumn<float>("KnnScore").ToArray(), "saved after loading");
    }

    [TestMethod]
    public void ALargeBankInsideAPipelineLoadsBitForBit()
    {
        // The head's parts sit beside its saved form at any depth of the pipeline's folders (here Model/Transform_001/).
        var ml = new MLContext(seed: 1);
        var (train, test, _, _) = Data(ml, seed: 15);
        TransformerChain<OodHeadTransformer> pipeline;
        using (ExternalBankWriter.OverrideThreshold(Threshold))
        {
            pipeline = ml.Transforms.CopyColumns("Copy", "Embedding").Append(ml.Ood().Knn("KnnScore", "Copy", k: 5)).Fit(train);
        }

        float[] expected = pipeline.Transform(test).GetColumn<float>("KnnScore").ToArray();
        var loaded = ml.Ood().Load(Save(ml, pipeline, train.Schema), out _);
        CollectionAssert.AreEqual(expected, loaded.Transform(test).GetColumn<float>("KnnScore").ToArray());
        (loaded as IDisposable)?.Dispose();
        pipeline.LastTransformer.Dispose();
    }

    [TestMethod]
    public void PlainModelLoadRefusesALargeBankNamingOodLoad()
    {
        var ml = new MLContext(seed: 1);
        var (train, _, _, _) = Data(ml, seed: 7);
        using var large = FitLarge(ml, train);
        string zip = Save(ml, large, train.Schema);
        var error = Assert.Throws<Exception>(() => ml.Model.Load(zip, out _));
        StringAssert.Contains(Messages(error), OodErrors.LargeHeadLoadedByMlNet, "refused while ML.NET loads it, naming ml.Ood().Load");
    }

    [TestMethod]
    public void AChangedByteOfTheBankIsRefusedEvenWithItsCrcRecomputed()
    {
        var ml = new MLContext(seed: 1);
        var (train, _, _, _) = Data(ml, seed: 9);
        using var large = FitLarge(ml, train);
        string zip = Save(ml, large, train.Schema);

        string flipped = Rewritten(zip, entries => entries.Select(e => e.Name.EndsWith(LargeHeadEntry.BankEntryName, StringComparison.Ordinal)
            ? (e.Name, Flip(e.Bytes, 123_457)) : e));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(flipped, out _));
        StringAssert.Contains(error.Message, "does not match the content hash its head recorded");
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Verify(flipped));

        string modelChanged = Rewritten(zip, entries => entries.Select(e => e.Name.EndsWith(LargeHeadEntry.ModelEntryName, StringComparison.Ordinal)
            ? (e.Name, Flip(e.Bytes, e.Bytes.Length / 2)) : e));
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(modelChanged, out _));

        string noBank = Rewritten(zip, entries => entries.Where(e => !e.Name.EndsWith(LargeHeadEntry.BankEntryName, StringComparison.Ordinal)));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(noBank, out _)).Message, "is missing");

        string noStub = Rewritten(zip, entries => entries.Select(e => e.Name.EndsWith(LargeHeadEntry.ModelEntryName, StringComparison.Ordinal)
            ? ("Extra/" + LargeHeadEntry.ModelEntryName, e.Bytes) : e));
        Assert.ThrowsExactly<InvalidDataException>(() => ml.Ood().Load(noStub, out _));
    }

    [TestMethod]
    public void TheBanksFilesGoWithTheHead()
    {
        var ml = new MLContext(seed: 1);
        var (train, test, _, _) = Data(ml, seed: 11);
        var large = FitLarge(ml, train);
        var files = large.State.Model.Source.External!;
        string data = Path.Combine(Path.GetDirectoryName(files.ModelPath())!, ExternalDataFiles.DataFileName);
        Assert.IsTrue(File.Exists(data), "before a session, the bank is a file in the head's private folder");
        _ = large.Transform(test).GetColumn<float>("KnnScore").ToArray();
        string zip = Save(ml, large, train.Schema);
        large.Dispose();
        Assert.IsFalse(File.Exists(data), "gone once the head is disposed");
        Assert.IsFalse(Directory.Exists(Path.GetDirectoryName(data)));

        var loaded = (OodHeadTransformer)ml.Ood().Load(zip, out _);
        var loadedFiles = loaded.State.Model.Source.External!;
        _ = loaded.Transform(test).GetColumn<float>("KnnScore").ToArray();
        string loadedData = Path.Combine(Path.GetDirectoryName(loadedFiles.ModelPath())!, ExternalDataFiles.DataFileName);
        loaded.Dispose();
        Assert.IsFalse(File.Exists(loadedData), "the loaded bank's files go with the loaded head");
    }

    [TestMethod]
    public void NnGuideTakesTheLargeFormToo()
    {
        var ml = new MLContext(seed: 1);
        var (train, test, _, _) = Data(ml, seed: 13);
        var layer = OodClassifierLayer.FromArrays([[.. Enumerable.Range(0, Dims).Select(i => i % 3 - 1f)]], [0.5f]);
        using var small = ml.Ood().NnGuide("S", "Embedding", layer, k: 5, bankFraction: null).Fit(train);
        OodHeadTransformer large;
        using (ExternalBankWriter.OverrideThreshold(Threshold))
        {
            large = ml.Ood().NnGuide("S", "Embedding", layer, k: 5, bankFraction: null).Fit(train);
        }

        using (large)
        {
            Assert.IsTrue(large.State.Model.Source.External!.IsLarge);
            // NNGuide's score is its similarities themselves, not a distance recomputed from the neighbour's coordinates as
            // KNN's is: a small head's session prepacks its bank, a mapped one cannot (ARCHITECTURE section 4), and the two
            // GEMM kernels round differently (measured: 1 ulp, -5.779481 against -5.7794814). The same holds of a small
            // NNGuide head from 16 MB on, which is mapped too. Within 1e-5 of the small form, bit for bit after loading.
            float[] expected = large.Transform(test).GetColumn<float>("S").ToArray();
            Ml.Ood.Tests.HeadHarness.AssertAllClose(small.Transform(test).GetColumn<float>("S").ToArray(), expected, 1e-5, "small form");
            using var loaded = (OodHeadTransformer)ml.Ood().Load(Save(ml, large, train.Schema), out _);
            CollectionAssert.AreEqual(expected, loaded.Transform(test).GetColumn<float>("S").ToArray(), "after ml.Ood().Load");
        }
    }

    private static OodHeadTransformer FitLarge(MLContext ml, IDataView train)
    {
        using (ExternalBankWriter.OverrideThreshold(Threshold))
        {
            return ml.Ood().Knn("KnnScore", "Embedding", k: 5).Fit(train);
        }
    }

    private static (IDataView Train, IDataView Test, float[][] Queries, float[][] Bank) Data(MLContext ml, int seed)
    {
        var random = new Random(seed);
        float[] Row() => [.. Enumerable.Range(0, Dims).Select(_ => (float)(random.NextDouble() - 0.5))];
        var bank = Enumerable.Range(0, 1200).Select(_ => Row()).ToArray();
        var queries = Enumerable.Range(0, 37).Select(_ => Row()).ToArray();
        return (EmbeddingData.Create(ml, bank), EmbeddingData.Create(ml, queries), queries, bank);
    }

    private static SchemaDefinition Definition(MLContext ml)
    {
        var definition = SchemaDefinition.Create(typeof(EmbeddingRow));
        definition[nameof(EmbeddingRow.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Dims);
        return definition;
    }

    private string Save(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"knn-external-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, schema, zip);
        return zip;
    }

    /// <summary>A copy of the .zip with its entries changed; ZipArchive writes each entry's CRC anew.</summary>
    private string Rewritten(string zip, Func<IEnumerable<(string Name, byte[] Bytes)>, IEnumerable<(string Name, byte[] Bytes)>> change)
    {
        List<(string Name, byte[] Bytes)> entries;
        using (var archive = ZipFile.OpenRead(zip))
        {
            entries = [.. archive.Entries.Select(e =>
            {
                using var stream = e.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return (e.FullName, copy.ToArray());
            })];
        }
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"knn-changed-{Guid.NewGuid():N}.zip");
        using (var output = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (name, bytes) in change(entries))
            {
                using var stream = output.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }
        return path;
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x10;
        return copy;
    }

    private static string Messages(Exception e)
    {
        var text = new System.Text.StringBuilder();
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            text.AppendLine(inner.Message);
        }

        return text.ToString();
    }

    /// <summary>The k-th smallest Euclidean distance between unit-normalised rows, in double precision.</summary>
    private static double BruteForce(float[][] bank, float[] query, int k)
    {
        static double[] Unit(float[] v)
        {
            double norm = Math.Sqrt(v.Sum(x => (double)x * x));
            return [.. v.Select(x => x / norm)];
        }

        var q = Unit(query);
        return bank.Select(b => Math.Sqrt(Unit(b).Zip(q, (x, y) => (x - y) * (x - y)).Sum())).Order().ElementAt(k - 1);
    }

    private sealed class Scored
    {
        public float KnnScore { get; set; }
    }
}
