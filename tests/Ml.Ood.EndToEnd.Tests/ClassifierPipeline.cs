using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>A labelled row of the synthetic classification task.</summary>
internal sealed class FeatureRow
{
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>
/// The pipeline shape of docs/ARCHITECTURE.md section 1 without the image stages: an ML.NET multiclass trainer, then every
/// head of <see cref="HeadCatalogue"/>: the logit heads on its Score column, KNN, Mahalanobis, MCM and NegLabel on the
/// features, and the calibrated decision. Data: Gaussian classes in 8 dimensions; class k is centred at 4 on axis k. The
/// features stand in for image embeddings (the catalogue's "text embeddings" are the axes).
/// </summary>
internal static class ClassifierPipeline
{
    public const int Dimensions = HeadCatalogue.Dimensions;

    /// <summary>Where the catalogued heads find their inputs: the classifier's logits, the features, the label.</summary>
    public static readonly PipelineColumns Columns = new(Logits: "Score", Features: "Features", Label: "Label");

    public static IEstimator<ITransformer> Build(MLContext ml, int? blockSize = null)
        => Classifier(ml).AppendHeads(ml, Columns, new() { BlockSize = blockSize });

    /// <summary>The classifier alone: its Score column holds the logits the logit heads read.</summary>
    public static EstimatorChain<MulticlassPredictionTransformer<LinearMulticlassModelParameters>> Classifier(MLContext ml)
        => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaNonCalibrated("Label", "Features"));

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
            {
                features[d] = (d == label ? 4f : 0f) + shift + Gaussian(random);
            }

            return new FeatureRow { Features = features, Label = label };
        }).ToList();
    }

    private static float Gaussian(Random random)
        => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
