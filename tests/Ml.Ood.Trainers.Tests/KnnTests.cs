using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms;

namespace Ml.Ood.Trainers.Tests;

/// <summary>KNN against ../shared/reference/vectors/knn.json (k = 1, 5, 50), persistence and the bank's edge cases.</summary>
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
        var model = ml.Ood().Knn("KnnScore", "Embedding", k: k, blockSize: 16).Fit(train);

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
    public void ZeroNormRowsAreLeftOutOfTheBankAndScoreOneAsQueries()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning) warnings.Add(e.RawMessage); };
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

        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Knn("S", "Missing", k: 1).Fit(EmbeddingData.Create(ml, three))).Message,
            "Could not find input column 'Missing'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Knn("S", "Embedding", k: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Knn("S", "Embedding", bankFraction: 1.5));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Knn("S", "Embedding", maxBankRows: 0));
    }

    [TestMethod]
    public void BanksOverTheOnnxLimitAreRefusedWithTheSamplingHint()
    {
        KnnBank.CheckSize(rows: 900_000, dimensions: 512);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => KnnBank.CheckSize(rows: 1_000_000, dimensions: 512));
        StringAssert.Contains(error.Message, "over the 2 GB limit");
        StringAssert.Contains(error.Message, "maxBankRows (at most 976,562 rows");
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
