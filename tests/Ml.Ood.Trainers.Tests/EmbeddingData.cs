using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Trainers.Tests;

/// <summary>A row of embeddings with a class label, as an encoder and a label column give them.</summary>
internal sealed class EmbeddingRow
{
    public float[] Embedding { get; set; } = [];

    public float Label { get; set; }
}

internal static class EmbeddingData
{
    public static IDataView Create(MLContext ml, IReadOnlyList<float[]> embeddings, IReadOnlyList<int>? labels = null)
    {
        var rows = embeddings.Select((e, i) => new EmbeddingRow { Embedding = e, Label = labels?[i] ?? 0 }).ToList();
        var definition = SchemaDefinition.Create(typeof(EmbeddingRow));
        definition[nameof(EmbeddingRow.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, embeddings[0].Length);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    public static float[][] Matrix(JsonElement element)
        => element.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    public static JsonDocument Reference(string file) => JsonDocument.Parse(File.ReadAllText(Ml.Ood.Tests.RepositoryPaths.ReferenceVector(file)));

    public static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<float> actual, string because)
    {
        Assert.HasCount(expected.Count, actual, because);
        for (int i = 0; i < expected.Count; i++)
        {
            Ml.Ood.Tests.LogitHeadReference.AssertClose(expected[i], actual[i], $"{because}, row {i}");
        }
    }
}
