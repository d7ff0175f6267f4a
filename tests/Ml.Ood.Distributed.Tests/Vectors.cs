using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Distributed.Tests;

internal sealed class EmbeddingRow
{
    public float[] Embedding { get; set; } = [];

    public int Id { get; set; }
}

internal static class Vectors
{
    public static IDataView Create(MLContext ml, IReadOnlyList<float[]> embeddings)
    {
        var rows = embeddings.Select((e, i) => new EmbeddingRow { Embedding = e, Id = i }).ToList();
        var definition = SchemaDefinition.Create(typeof(EmbeddingRow));
        definition[nameof(EmbeddingRow.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, embeddings[0].Length);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    public static (float[][] Bank, float[][] Queries, JsonElement Cases) Knn()
    {
        var json = JsonDocument.Parse(File.ReadAllText(Ml.Ood.Tests.RepositoryPaths.ReferenceVector("knn.json"))).RootElement;
        return (Matrix(json.GetProperty("bank")), Matrix(json.GetProperty("queries")), json.GetProperty("cases"));
    }

    public static double[] Expected(JsonElement cases, int k) => cases.EnumerateArray()
        .Single(c => c.GetProperty("k").GetInt32() == k).GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>Gaussian rows from a seeded generator.</summary>
    public static float[][] Random(int rows, int width, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, width)
            .Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray())];
    }

    /// <summary>Asserts the two score lists are identical bit for bit (NaN equal to NaN).</summary>
    public static void AssertBitwise(IReadOnlyList<float> expected, IReadOnlyList<float> actual, string because)
    {
        Assert.HasCount(expected.Count, actual, because);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]),
                $"{because}, row {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    private static float[][] Matrix(JsonElement element)
        => element.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
}
