using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.QuickStart;

/// <summary>One labelled row: 8 features drawn around the centre of its class.</summary>
public sealed class FeatureRow
{
    /// <summary>The features the classifier reads.</summary>
    public float[] Features { get; set; } = [];

    /// <summary>The class, 0 to 3.</summary>
    public float Label { get; set; }

    /// <summary>The truth the evaluation compares against: true for rows of a class the model never saw.</summary>
    public bool IsOodTruth { get; set; }
}

/// <summary>Gaussian classes in 8 dimensions: class k is centred at 4 on axis k, with unit noise.</summary>
public static class GeneratedData
{
    /// <summary>The number of features.</summary>
    public const int Dimensions = 8;

    /// <summary>Draws rows of the given classes in turn; <paramref name="isOod"/> marks them as unknown.</summary>
    public static List<FeatureRow> Sample(int rows, int[] classes, int seed, bool isOod = false)
    {
        var random = new Random(seed);
        var result = new List<FeatureRow>(rows);
        for (int i = 0; i < rows; i++)
        {
            int label = classes[i % classes.Length];
            var features = new float[Dimensions];
            for (int d = 0; d < Dimensions; d++)
                features[d] = (d == label ? 4f : 0f) + Gaussian(random);
            result.Add(new FeatureRow { Features = features, Label = label, IsOodTruth = isOod });
        }
        return result;
    }

    /// <summary>An ML.NET view of the rows, with the feature vector's size in its schema.</summary>
    public static IDataView Load(MLContext ml, IEnumerable<FeatureRow> rows)
    {
        var definition = SchemaDefinition.Create(typeof(FeatureRow));
        definition[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Dimensions);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    private static float Gaussian(Random random)
        => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
