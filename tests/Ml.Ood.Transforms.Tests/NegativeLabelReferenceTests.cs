using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>A row of image embeddings plus a column the heads must pass through.</summary>
internal sealed class ImageEmbeddingRow
{
    public float[] Embedding { get; set; } = [];

    public int Id { get; set; }
}

/// <summary>
/// MCM and NegLabel against tests/ReferenceVectors/negative_labels.json (numpy): batched, per row
/// (PredictionEngine), after plain ml.Model.Load, and after ml.Ood().Load.
/// </summary>
[TestClass]
public sealed class NegativeLabelReferenceTests
{
    private static readonly NegativeLabelReference Reference = NegativeLabelReference.Load();

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> Cases => Reference.Cases.Select((c, i) => new object[] { i, c.Name });

    [TestMethod]
    public void ReferenceHasTheFiveCases()
        => CollectionAssert.AreEquivalent(
            new[] { "mcm(T=1)", "mcm(T=0.01)", "neglabel(T=0.01, G=1)", "neglabel(T=0.01, G=4)", "neglabel(T=1, G=1)" },
            Reference.Cases.Select(c => c.Name).ToArray());

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ScoresMatchReferenceBatchedPerRowAndAfterLoading(int index, string name)
    {
        var c = Reference.Cases[index];
        var ml = new MLContext(seed: 1);
        var data = ImageEmbeddings.Create(ml, Reference.Image);
        // A block size that does not divide 40 rows exercises the partial last block.
        var model = Estimator(ml, c, blockSize: 7).Fit(data);
        Assert.AreEqual(c.Head, model.Head.Kind);

        AssertMatches(c, HeadHarness.Batched(model, data, "OodScore"), $"{name} batched");
        AssertMatches(c, ImageEmbeddings.PerRow(ml, model, data, Reference.Image, "OodScore"), $"{name} per row");
        CollectionAssert.AreEqual(Enumerable.Range(0, 40).ToArray(), model.Transform(data).GetColumn<int>("Id").ToArray(), "Id passes through");

        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"neglabel-{index}-{Guid.NewGuid():N}.zip");
        var loaded = HeadHarness.SaveAndLoad(ml, model, data.Schema, zip);
        var scored = loaded.Transform(data);
        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["OodScore"].Type, "the loaded score column stays a scalar Single");
        AssertMatches(c, scored.GetColumn<float>("OodScore").ToArray(), $"{name} ml.Model.Load");
        AssertMatches(c, ImageEmbeddings.PerRow(ml, loaded, data, Reference.Image, "OodScore"), $"{name} ml.Model.Load, per row");

        var batchedAgain = (OodHeadTransformer)ml.Ood().Load(zip, out _);
        Assert.AreEqual(c.Head, batchedAgain.Head.Kind);
        Assert.AreEqual(c.Temperature, batchedAgain.Head.GetSingle("temperature"));
        AssertMatches(c, HeadHarness.Batched(batchedAgain, data, "OodScore"), $"{name} ml.Ood().Load");
    }

    private static OodHeadEstimator Estimator(MLContext ml, NegativeLabelCase c, int? blockSize = null) => c.Head switch
    {
        "mcm" => ml.Ood().MaximumConceptMatching("OodScore", "Embedding", Reference.IdText, c.Temperature, execution: new() { BlockSize = blockSize }),
        "neglabel" => ml.Ood().NegativeLabels("OodScore", "Embedding", Reference.IdText, Reference.NegativeText, c.Temperature, c.Groups!.Value, execution: new() { BlockSize = blockSize }),
        _ => throw new ArgumentException(c.Head),
    };

    private static void AssertMatches(NegativeLabelCase c, float[] actual, string because)
    {
        Assert.HasCount(c.Expected.Length, actual, because);
        for (int i = 0; i < actual.Length; i++)
        {
            LogitHeadReference.AssertClose(c.Expected[i], actual[i], $"{because}, row {i}");
        }
    }
}

internal sealed record NegativeLabelCase(string Head, float Temperature, int? Groups, double[] Expected)
{
    public string Name => Groups is int g ? $"{Head}(T={Temperature}, G={g})" : $"{Head}(T={Temperature})";
}

internal sealed record NegativeLabelReference(float[][] Image, float[][] IdText, float[][] NegativeText, IReadOnlyList<NegativeLabelCase> Cases)
{
    public static NegativeLabelReference Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("negative_labels.json")));
        var root = json.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new NegativeLabelCase(
            c.GetProperty("head").GetString()!,
            c.GetProperty("temperature").GetSingle(),
            c.TryGetProperty("groups", out var g) ? g.GetInt32() : null,
            c.GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray())).ToList();
        return new(Matrix(root.GetProperty("image")), Matrix(root.GetProperty("id_text")), Matrix(root.GetProperty("neg_text")), cases);
    }

    private static float[][] Matrix(JsonElement element)
        => element.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
}

internal static class ImageEmbeddings
{
    public static IDataView Create(MLContext ml, IReadOnlyList<float[]> embeddings)
    {
        var definition = SchemaDefinition.Create(typeof(ImageEmbeddingRow));
        definition[nameof(ImageEmbeddingRow.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, embeddings[0].Length);
        return ml.Data.LoadFromEnumerable(embeddings.Select((e, i) => new ImageEmbeddingRow { Embedding = e, Id = i }).ToList(), definition);
    }

    public static float[] PerRow(MLContext ml, ITransformer model, IDataView data, IReadOnlyList<float[]> embeddings, string column)
    {
        var input = SchemaDefinition.Create(typeof(ImageEmbeddingRow));
        input[nameof(ImageEmbeddingRow.Embedding)].ColumnType = data.Schema["Embedding"].Type;
        var output = SchemaDefinition.Create(typeof(ScoreOutput));
        output[0].ColumnName = column;
        using var engine = ml.Model.CreatePredictionEngine<ImageEmbeddingRow, ScoreOutput>(model, inputSchemaDefinition: input, outputSchemaDefinition: output);
        return embeddings.Select((e, i) => engine.Predict(new ImageEmbeddingRow { Embedding = e, Id = i }).Score).ToArray();
    }
}
