using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Ml.Ood.Trainers.Tests;

/// <summary>KNN against tests/ReferenceVectors/knn.json (k = 1, 5, 50), persistence and the bank's edge cases.</summary>
[TestClass]
public sealed class KnnTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(1)]
    [DataRow(5)]
    [DataRow(50)]
    public void ScoresMatchReferenceBatchedPerRowAndAfterLoading(int k)
    {
        using var json = EmbeddingData.Reference("knn.json");
        var bank = EmbeddingData.Matrix(json.RootElement.GetProperty("bank"));
        var queries = EmbeddingData.Matrix(json.RootElement.GetProperty("queries"));
        var expected = json.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("k").GetInt32() == k)
            .GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        var ml = new MLContext(seed: 1);
        var train = EmbeddingData.Create(ml, bank);
        var test = EmbeddingData.Create(ml, queries);
        var model = ml.Ood().Knn("KnnScore", "Embedding", k: k, execution: new() { BlockSize = 16 }).Fit(train);

        EmbeddingData.AssertClose(expected, model.Transform(test).GetColumn<float>("KnnScore").ToArray(), $"k={k} batched");
        EmbeddingData.AssertClose(expected, PerRow(ml, model, test, queries), $"k={k} per row");

        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"knn-{k}-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, train.Schema, zip);
        var loaded = ml.Model.Load(zip, out _).Transform(test);
        Assert.AreEqual(NumberDataViewType.Single, loaded.Schema["KnnScore"].Type);
        EmbeddingData.AssertClose(expected, loaded.GetColumn<float>("KnnScore").ToArray(), $"k={k} loaded");
        var batchedAgain = (OodHeadTransformer)ml.Ood().Load(zip, out _);
        Assert.AreEqual("knn", batchedAgain.Head.Kind);
        Assert.AreEqual(k.ToString(), batchedAgain.Head.Parameters["k"]);
        EmbeddingData.AssertClose(expected, batchedAgain.Transform(test).GetColumn<float>("KnnScore").ToArray(), $"k={k} batched again");
    }

    [TestMethod]
    public void TinyAndHugeBankRowsKeepTheirDirection()
    {
        // Sums of squares underflow (1e-30^2 = 1e-60 < float's smallest subnormal) or overflow (1e60 > float.MaxValue):
        // the 1e-30 row used to be dropped as zero-norm and the 1e30 row stored as zeros. By hand: (c, c, c) at unit
        // norm is (1/sqrt 3, 1/sqrt 3, 1/sqrt 3) = 0.57735027 each, whatever c > 0; (3, 4, 0) is (0.6, 0.8, 0).
        var ml = new MLContext(seed: 1);
        const float third = 0.57735027f;
        float[][] rows = [[1e-30f, 1e-30f, 1e-30f], [1e30f, -1e30f, 1e30f], [float.Epsilon, float.Epsilon, -float.Epsilon], [0, 0, 0], [3, 4, 0]];
        float[][] expected = [[third, third, third], [third, -third, third], [third, third, -third], [0.6f, 0.8f, 0]];
        var host = ((IHostEnvironment)ml).Register(nameof(KnnTests));
        var bank = KnnBank.Read(host, EmbeddingData.Create(ml, rows), "Embedding", 3, fraction: null, maxRows: null, new Random(1));

        Assert.AreEqual(1L, bank.ZeroRowsSkipped, "only the true zero row is left out");
        Assert.HasCount(expected.Length, bank.Rows);
        for (int r = 0; r < expected.Length; r++)
        {
            for (int d = 0; d < 3; d++)
            {
                Assert.AreEqual(expected[r][d], bank.Rows[r][d], 1e-7f, $"row {r}, value {d}");
            }
        }

        // Through the head: each query is a rescaled bank row, so its nearest neighbour is at distance 0.
        var model = ml.Ood().Knn("KnnScore", "Embedding", k: 1).Fit(EmbeddingData.Create(ml, rows));
        Assert.AreEqual("4", model.Head.Parameters["bank_rows"]);
        var scores = model.Transform(EmbeddingData.Create(ml, [[2, 2, 2], [1, -1, 1], [5, 5, -5]])).GetColumn<float>("KnnScore").ToArray();
        foreach (float score in scores)
        {
            Assert.AreEqual(0f, score, 1e-5f);
        }
    }

    [TestMethod]
    public void ZeroNormRowsAreLeftOutOfTheBankAndScoreOneAsQueries()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning) { warnings.Add(e.RawMessage); } };
        float[][] bank = [[3, 0], [0, 0], [0, 2]];
        var model = ml.Ood().Knn("KnnScore", "Embedding", k: 1).Fit(EmbeddingData.Create(ml, bank));

        Assert.AreEqual("2", model.Head.Parameters["bank_rows"], "the zero row is not a neighbour");
        Assert.IsTrue(warnings.Any(w => w.Contains("zero norm")), "Fit warns about the left-out row");
        // Queries: zero (distance 1 to every unit row), (5, 0) -> (1, 0) at distance 0, (1, 1) -> distance |(.707, .707) - (1, 0)|.
        var scores = model.Transform(EmbeddingData.Create(ml, [[0, 0], [5, 0], [1, 1]])).GetColumn<float>("KnnScore").ToArray();
        Assert.AreEqual(1f, scores[0], 1e-6f);
        Assert.AreEqual(0f, scores[1], 1e-6f);
        Assert.AreEqual(Math.Sqrt(2 - Math.Sqrt(2)), scores[2], 1e-6);
    }

    [TestMethod]
    public void SamplingIsSeededAndBounded()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 500).Select(_ => new[] { (float)random.NextDouble() + 0.1f, (float)random.NextDouble() }).ToArray();
        var data = EmbeddingData.Create(ml, rows);
        var query = EmbeddingData.Create(ml, rows.Take(50).ToArray());

        var capped = ml.Ood().Knn("S", "Embedding", k: 3, maxBankRows: 100, seed: 7).Fit(data);
        Assert.AreEqual("100", capped.Head.Parameters["bank_rows"]);
        var again = ml.Ood().Knn("S", "Embedding", k: 3, maxBankRows: 100, seed: 7).Fit(data);
        CollectionAssert.AreEqual(capped.Transform(query).GetColumn<float>("S").ToArray(), again.Transform(query).GetColumn<float>("S").ToArray(),
            "the same seed gives the same bank");

        var fraction = ml.Ood().Knn("S", "Embedding", k: 3, bankFraction: 0.2, seed: 7).Fit(data);
        int kept = int.Parse(fraction.Head.Parameters["bank_rows"]);
        Assert.IsTrue(kept is > 60 and < 140, $"a 20% sample of 500 rows kept {kept}");
    }

    [TestMethod]
    public void BadTrainingDataGivesClearErrors()
    {
        var ml = new MLContext(seed: 1);
        float[][] three = [[1, 0], [0, 1], [1, 1]];

        var tooLargeK = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Knn("S", "Embedding", k: 4).Fit(EmbeddingData.Create(ml, three)));
        StringAssert.Contains(tooLargeK.Message, "k = 4 is larger than the KNN bank (3 rows)");

        var empty = ml.Data.LoadFromEnumerable(new List<EmbeddingRow>(), EmbeddingData.Create(ml, three).Schema);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Knn("S", "Embedding", k: 1).Fit(empty)).Message, "bank is empty");

        var nan = Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().Knn("S", "Embedding", k: 1).Fit(EmbeddingData.Create(ml, [[1, 0], [float.NaN, 1]])));
        StringAssert.Contains(nan.Message, "Column 'Embedding' has a NaN or infinite value in row 1");
        Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().Knn("S", "Embedding", k: 1).Fit(EmbeddingData.Create(ml, [[float.PositiveInfinity, 0]])));

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Knn("S", "Embedding", k: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Knn("S", "Embedding", bankFraction: 1.5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Knn("S", "Embedding", maxBankRows: 0));
    }

    [TestMethod]
    public void BanksOverTheOnnxLimitAreNoLongerRefusedOnlyBanksOfMoreRowsThanAListHolds()
    {
        // 1,000,000 x 512 floats (2.05 GB) was refused before banks over 2 GB became external data (LargeBankTests).
        KnnBank.CheckRows(rows: 1_000_000);
        KnnBank.CheckRows(rows: 5_000_000);
        KnnBank.CheckRows(rows: Array.MaxLength);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => KnnBank.CheckRows(rows: Array.MaxLength + 1L));
        StringAssert.Contains(error.Message, $"{Array.MaxLength + 1L:N0} rows, more than the {Array.MaxLength:N0} rows");
        StringAssert.Contains(error.Message, "pass maxBankRows or bankFraction");
    }

    [TestMethod]
    public void ALargeBankIsScoredMappedAndSurvivesLoadingAsABatchedHead()
    {
        // 8,400 x 512 floats (17 MB): over the size from which a head's session maps its state from an external data file.
        var random = new Random(11);
        float[] Row() => Enumerable.Range(0, 512).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var bank = Enumerable.Range(0, 8400).Select(_ => Row()).ToArray();
        var queries = Enumerable.Range(0, 40).Select(_ => Row()).ToArray();
        var expected = queries.Select(q => BruteForceKnn(bank, q, k: 5)).ToArray();

        var ml = new MLContext(seed: 1);
        var train = EmbeddingData.Create(ml, bank);
        var test = EmbeddingData.Create(ml, queries);
        using var model = ml.Ood().Knn("KnnScore", "Embedding", k: 5).Fit(train);
        EmbeddingData.AssertClose(expected, model.Transform(test).GetColumn<float>("KnnScore").ToArray(), "fitted");

        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"knn-large-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, train.Schema, zip);
        using var loaded = (OodHeadTransformer)ml.Ood().Load(zip, out _);
        Assert.AreEqual("8400", loaded.Head.Parameters["bank_rows"]);
        EmbeddingData.AssertClose(expected, loaded.Transform(test).GetColumn<float>("KnnScore").ToArray(), "loaded with ml.Ood().Load");

        // Saved again from its temporary file, the head is the same model.
        string again = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"knn-large-again-{Guid.NewGuid():N}.zip");
        ml.Model.Save(loaded, train.Schema, again);
        using var reloaded = (OodHeadTransformer)ml.Ood().Load(again, out _);
        EmbeddingData.AssertClose(expected, reloaded.Transform(test).GetColumn<float>("KnnScore").ToArray(), "saved after loading");
    }

    [TestMethod]
    [DataRow(50_000, 512, 50)]
    [DataRow(1_000, 512, 50)]
    [DataRow(2_000_000, 16, 50)]
    [DataRow(1_000, 16, 1_000)]
    public void RowsPerRunKeepTheSimilarityBlockWithinHalfTheBank(int bankRows, int dims, int k)
    {
        // Budget: half the bank, 16 MB at least; the similarity block (bankRows floats per row) and the top-k buffers
        // (k floats and k longs per row) each stay within it.
        long budget = Math.Max(bankRows * (long)dims * 4 / 2, 16L << 20);
        int rows = KnnEstimator.MaxRowsPerRun(bankRows, dims, k);
        Assert.IsTrue(rows >= 1);
        Assert.IsTrue(rows == 1 || (rows * bankRows * 4L <= budget && rows * k * 12L <= budget), $"{rows} rows exceed {budget} bytes");
        Assert.IsTrue((rows + 1) * bankRows * 4L > budget || (rows + 1) * k * 12L > budget, $"{rows} rows leave room within {budget}");
    }

    /// <summary>Every call reads the whole bank: a 512-d bank (ImageNet-style) must score a default block in one call.</summary>
    [TestMethod]
    public void A512DimensionalBankScoresADefaultBlockInOneCall()
        => Assert.IsTrue(KnnEstimator.MaxRowsPerRun(50_000, 512, 50) >= OodExecutionOptions.DefaultBlockSize);

    /// <summary>The k-th smallest Euclidean distance between unit-normalised rows, in double precision.</summary>
    private static double BruteForceKnn(float[][] bank, float[] query, int k)
    {
        static double[] Unit(float[] v)
        {
            double norm = Math.Sqrt(v.Sum(x => (double)x * x));
            return v.Select(x => x / norm).ToArray();
        }
        var q = Unit(query);
        return bank.Select(Unit).Select(b => Math.Sqrt(b.Zip(q, (x, y) => (x - y) * (x - y)).Sum())).Order().ElementAt(k - 1);
    }

    private static float[] PerRow(MLContext ml, ITransformer model, IDataView data, float[][] queries)
    {
        var input = SchemaDefinition.Create(typeof(EmbeddingRow));
        input[nameof(EmbeddingRow.Embedding)].ColumnType = data.Schema["Embedding"].Type;
        var output = SchemaDefinition.Create(typeof(Ml.Ood.Tests.ScoreOutput));
        output[0].ColumnName = "KnnScore";
        using var engine = ml.Model.CreatePredictionEngine<EmbeddingRow, Ml.Ood.Tests.ScoreOutput>(model, inputSchemaDefinition: input, outputSchemaDefinition: output);
        return queries.Select(q => engine.Predict(new EmbeddingRow { Embedding = q }).Score).ToArray();
    }
}
