using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>A labelled row of the synthetic classification task.</summary>
internal sealed class FeatureRow
{
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>
/// The pipeline shape of docs/ARCHITECTURE.md section 1 without the image stages: an ML.NET multiclass trainer, then the
/// MlOod heads on its Score column, KNN, Mahalanobis, MCM and NegLabel on the features, and the calibrated decision.
/// Data: Gaussian classes in 8 dimensions; class k is centred at 4 on axis k. The features stand in for image
/// embeddings: the "text embeddings" of class k are axis k, the negative labels the other axes and their mixes.
/// </summary>
internal static class ClassifierPipeline
{
    public const int Dimensions = 8;
    public static readonly string[] ScoreColumns = ["EnergyScore", "EnergyT2Score", "MspScore", "MaxLogitScore", "KnnScore", "MahalanobisScore", "McmScore", "NegLabelScore"];

    /// <summary>Stand-ins for the text embeddings of the three class names: the class centres' directions.</summary>
    public static readonly float[][] ClassTextEmbeddings = [Axis(0), Axis(1), Axis(2)];

    /// <summary>Stand-ins for negative label embeddings: the unused axes and, unnormalised, their pairwise sums.</summary>
    public static readonly float[][] NegativeTextEmbeddings =
        [.. Enumerable.Range(3, 5).Select(Axis), .. Enumerable.Range(3, 4).Select(a => Axis(a).Zip(Axis(a + 1), (x, y) => 2 * (x + y)).ToArray())];

    public static IEstimator<ITransformer> Build(MLContext ml, int? blockSize = null)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaNonCalibrated("Label", "Features"))
            .Append(ml.Ood().Energy("EnergyScore", "Score", execution: new() { BlockSize = blockSize }))
            .Append(ml.Ood().Energy("EnergyT2Score", "Score", temperature: 2f, execution: new() { BlockSize = blockSize }))
            .Append(ml.Ood().MaxSoftmaxProbability("MspScore", "Score", execution: new() { BlockSize = blockSize }))
            .Append(ml.Ood().MaxLogit("MaxLogitScore", "Score", execution: new() { BlockSize = blockSize }))
            .Append(ml.Ood().Knn("KnnScore", "Features", k: 10, execution: new() { BlockSize = blockSize }))
            .Append(ml.Ood().Mahalanobis("MahalanobisScore", "Features", "Label", execution: new() { BlockSize = blockSize }))
            .Append(ml.Ood().MaximumConceptMatching("McmScore", "Features", ClassTextEmbeddings, temperature: 0.1f, execution: new() { BlockSize = blockSize }))
            .Append(ml.Ood().NegativeLabels("NegLabelScore", "Features", ClassTextEmbeddings, NegativeTextEmbeddings, groups: 3, shuffleSeed: 2, execution: new() { BlockSize = blockSize }))
            .Append(ml.Ood().Threshold("IsOod", "KnnScore", idTruePositiveRate: 0.95, execution: new() { BlockSize = blockSize }));

    public static IDataView Load(MLContext ml, IEnumerable<FeatureRow> rows)
    {
        var definition = SchemaDefinition.Create(typeof(FeatureRow));
        definition[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Dimensions);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>Rows of classes 0, 1, 2 (in-distribution) or of <paramref name="classes"/>, shifted by <paramref name="shift"/>.</summary>
    public static List<FeatureRow> Sample(int rows, int seed, float shift = 0, int[]? classes = null)
    {
        classes ??= [0, 1, 2];
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(i =>
        {
            int label = classes[i % classes.Length];
            var features = new float[Dimensions];
            for (int d = 0; d < Dimensions; d++)
                features[d] = (d == label ? 4f : 0f) + shift + Gaussian(random);
            return new FeatureRow { Features = features, Label = label };
        }).ToList();
    }

    private static float[] Axis(int axis)
    {
        var vector = new float[Dimensions];
        vector[axis] = 1;
        return vector;
    }

    private static float Gaussian(Random random)
        => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
