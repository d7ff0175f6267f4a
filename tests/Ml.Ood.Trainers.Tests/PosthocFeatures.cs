using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// Views of tests/ReferenceVectors/posthoc_features.json (<see cref="PosthocFeatureReference"/>) for the fitted feature heads,
/// and the check every reference case gets: batched with an odd block size and row by row, each score within 1e-5
/// (relative above 1).
/// </summary>
internal static class PosthocFeatures
{
    /// <summary>The 600 training rows with their class labels, column Embedding (32-d) and Label.</summary>
    public static IDataView TrainData(this PosthocFeatureReference reference, MLContext ml)
        => EmbeddingData.Create(ml, reference.TrainFeatures, reference.TrainLabels);

    /// <summary>The 80 rows every case scores.</summary>
    public static IDataView TestData(this PosthocFeatureReference reference, MLContext ml) => EmbeddingData.Create(ml, reference.Features);

    /// <summary>Every expected score, batched (the head's own block size) and row by row through a PredictionEngine.</summary>
    public static void AssertScores(this PosthocFeatureReference reference, MLContext ml, OodHeadTransformer model, string column,
        double[] expected, string head)
    {
        EmbeddingData.AssertClose(expected, model.Transform(reference.TestData(ml)).GetColumn<float>(column).ToArray(), $"{head} batched");
        EmbeddingData.AssertClose(expected, PerRow(ml, model, reference.Features, column), $"{head} per row");
    }

    private static float[] PerRow(MLContext ml, ITransformer model, float[][] rows, string column)
    {
        var input = SchemaDefinition.Create(typeof(EmbeddingRow));
        input[nameof(EmbeddingRow.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Length);
        var output = SchemaDefinition.Create(typeof(ScoreOutput));
        output[0].ColumnName = column;
        using var engine = ml.Model.CreatePredictionEngine<EmbeddingRow, ScoreOutput>(model, inputSchemaDefinition: input, outputSchemaDefinition: output);
        return [.. rows.Select(h => engine.Predict(new EmbeddingRow { Embedding = h }).Score)];
    }
}
