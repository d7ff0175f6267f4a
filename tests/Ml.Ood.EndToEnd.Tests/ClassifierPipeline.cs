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
/// The pipeline shape of DESIGN.md section 1 without the image stages: an ML.NET multiclass trainer, then the
/// MlOod heads on its Score column, KNN and Mahalanobis on the features, and the calibrated decision. Data: Gaussian classes in 8 dimensions; class k is centred at 4 on axis k.
/// </summary>
internal static class ClassifierPipeline
{
    public const int Dimensions = 8;
    public static readonly string[] ScoreColumns = ["EnergyScore", "EnergyT2Score", "MspScore", "MaxLogitScore", "KnnScore", "MahalanobisScore"];

    public static IEstimator<ITransformer> Build(MLContext ml, int? blockSize = null)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaNonCalibrated("Label", "Features"))
            .Append(ml.Ood().Energy("EnergyScore", "Score", blockSize: blockSize))
            .Append(ml.Ood().Energy("EnergyT2Score", "Score", temperature: 2f, blockSize: blockSize))
            .Append(ml.Ood().MaxSoftmaxProbability("MspScore", "Score", blockSize: blockSize))
            .Append(ml.Ood().MaxLogit("MaxLogitScore", "Score", blockSize: blockSize))
            .Append(ml.Ood().Knn("KnnScore", "Features", k: 10, blockSize: blockSize))
            .Append(ml.Ood().Mahalanobis("MahalanobisScore", "Features", "Label", blockSize: blockSize))
            .Append(ml.Ood().Threshold("IsOod", "KnnScore", idTruePositiveRate: 0.95, blockSize: blockSize));

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

    private static float Gaussian(Random random)
        => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
