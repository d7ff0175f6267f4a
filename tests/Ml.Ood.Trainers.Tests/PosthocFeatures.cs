using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// tests/ReferenceVectors/posthoc_features.json (numpy in float64, checked against OpenOOD): 32-d training features with
/// labels of 10 classes, the classifier's last layer and 80 test rows; one case per head with its expected scores.
/// </summary>
internal sealed class PosthocFeatures
{
    private PosthocFeatures(JsonElement root)
    {
        Train = EmbeddingData.Matrix(root.GetProperty("train_features"));
        Labels = root.GetProperty("train_labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Weight = EmbeddingData.Matrix(root.GetProperty("weight"));
        Bias = root.GetProperty("bias").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Test = EmbeddingData.Matrix(root.GetProperty("features"));
        Cases = root.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    public float[][] Train { get; }

    public int[] Labels { get; }

    /// <summary>The last layer's weights, [classes][features].</summary>
    public float[][] Weight { get; }

    public float[] Bias { get; }

    public float[][] Test { get; }

    public JsonElement[] Cases { get; }

    public static PosthocFeatures Load()
    {
        using var json = EmbeddingData.Reference("posthoc_features.json");
        return new PosthocFeatures(json.RootElement);
    }

    /// <summary>The one case of <paramref name="head"/> (that <paramref name="where"/> picks, if given).</summary>
    public JsonElement Case(string head, Func<JsonElement, bool>? where = null)
        => Cases.Single(c => c.GetProperty("head").GetString() == head && (where?.Invoke(c) ?? true));

    public static double[] Scores(JsonElement @case) => @case.GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>The reference's classifier layer (10 classes x 32 features).</summary>
    public OodClassifierLayer Layer() => OodClassifierLayer.FromArrays(Weight, Bias);

    public IDataView TrainData(MLContext ml) => EmbeddingData.Create(ml, Train, Labels);

    public IDataView TestData(MLContext ml) => EmbeddingData.Create(ml, Test);

    /// <summary>Scores the test rows one at a time through a PredictionEngine (the head's row-to-row mapper).</summary>
    public float[] PerRow(MLContext ml, ITransformer model, string column)
    {
        var input = SchemaDefinition.Create(typeof(EmbeddingRow));
        input[nameof(EmbeddingRow.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Test[0].Length);
        var output = SchemaDefinition.Create(typeof(Ml.Ood.Tests.ScoreOutput));
        output[0].ColumnName = column;
        using var engine = ml.Model.CreatePredictionEngine<EmbeddingRow, Ml.Ood.Tests.ScoreOutput>(model, inputSchemaDefinition: input, outputSchemaDefinition: output);
        return Test.Select(h => engine.Predict(new EmbeddingRow { Embedding = h }).Score).ToArray();
    }

    /// <summary>Every expected score within 1e-5 (relative above 1), batched with an odd block size and row by row.</summary>
    public void AssertScores(MLContext ml, OodHeadTransformer model, string column, double[] expected, string head)
    {
        EmbeddingData.AssertClose(expected, model.Transform(TestData(ml)).GetColumn<float>(column).ToArray(), $"{head} batched");
        EmbeddingData.AssertClose(expected, PerRow(ml, model, column), $"{head} per row");
    }
}
