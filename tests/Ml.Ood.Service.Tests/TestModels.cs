using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Ml.Ood.Tests;

namespace Ml.Ood.Service.Tests;

/// <summary>A row of the embedding model: a pipeline that starts at the embedding, as many served models do.</summary>
public sealed class EmbeddingRow
{
    public const int Length = 8;

    public float Label { get; set; }

    [VectorType(Length)]
    public float[] Features { get; set; } = [];
}

/// <summary>A row of the image model: a 28 x 28 image into the quick start's LeNet encoder.</summary>
public sealed class ImageRow
{
    public const int Side = 28;

    [ImageType(Side, Side)]
    public MLImage Image { get; set; } = null!;

    /// <summary>Unused by the model; as in the quick start, the column ML.NET can save (it drops image columns from a saved schema).</summary>
    public float Label { get; set; }
}

/// <summary>What the offline pipeline (the fitted model, in this process) gives one input: the expected answer.</summary>
public sealed record Offline(Dictionary<string, float> Scores, bool IsOod, string? PredictedClass);

/// <summary>
/// Two small models, fitted once on synthetic data and saved as a user would (<c>ml.Model.Save</c>): classifier + energy
/// + KNN + threshold on 8-d embeddings; LeNet encoder + energy + KNN + threshold on 28 x 28 images. Expected values
/// come from the fitted models' own Transform, never from the service.
/// </summary>
public static class TestModels
{
    public static readonly string[] EmbeddingScores = ["EnergyScore", "KnnScore"];
    public static readonly string[] ImageScores = ["EnergyScore", "KnnScore", "MspScore"];

    /// <summary>The saved test models; deleted when the test run ends (<see cref="ServiceTestRun"/>), not left in the temp folder.</summary>
    internal static readonly string Folder = Directory.CreateTempSubdirectory("mlood-service-tests-").FullName;
    private static readonly Lazy<(string Path, ITransformer Model, MLContext Ml, float Threshold)> LazyEmbedding = new(FitEmbeddingModel);
    private static readonly Lazy<(string Path, ITransformer Model, MLContext Ml, float Threshold)> LazyImage = new(FitImageModel);

    public static string EmbeddingModelPath => LazyEmbedding.Value.Path;

    public static float EmbeddingThreshold => LazyEmbedding.Value.Threshold;

    public static string ImageModelPath => LazyImage.Value.Path;

    /// <summary>Seeded embeddings around three class centres, every fourth far from all (OOD).</summary>
    public static float[][] Embeddings(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            // Class c sits at 3 on axis c; every fourth row sits at 3 on axes 4-7 instead, away from every class (OOD).
            bool ood = i % 4 == 3;
            return Enumerable.Range(0, EmbeddingRow.Length)
                .Select(j => (ood ? (j >= 4 ? 3f : 0f) : (j == i % 3 ? 3f : 0f)) + (float)(random.NextDouble() - 0.5)).ToArray();
        }).ToArray();
    }

    /// <summary>Seeded grey 28 x 28 images: a bright square on noise, at a place that depends on the seed.</summary>
    public static byte[][] Images(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var pixels = new byte[ImageRow.Side * ImageRow.Side];
            random.NextBytes(pixels);
            int top = random.Next(4, 16), left = random.Next(4, 16);
            for (int y = top; y < top + 8; y++)
            {
                pixels.AsSpan(y * ImageRow.Side + left, 8).Fill(255);
            }

            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = (byte)(pixels[i] / 4);
            }
            return pixels;
        }).ToArray();
    }

    public static Offline[] OfflineEmbeddings(float[][] embeddings)
    {
        var (_, model, ml, _) = LazyEmbedding.Value;
        var view = ml.Data.LoadFromEnumerable(embeddings.Select(e => new EmbeddingRow { Features = e }));
        return Read(ml, model.Transform(view), EmbeddingScores, predictedLabel: true);
    }

    public static Offline[] OfflineImages(byte[][] images)
    {
        var (_, model, ml, _) = LazyImage.Value;
        return Read(ml, model.Transform(ImageView(ml, images)), ImageScores, predictedLabel: false);
    }

    private static Offline[] Read(MLContext ml, IDataView scored, string[] scores, bool predictedLabel)
    {
        var columns = scores.ToDictionary(s => s, s => scored.GetColumn<float>(s).ToArray());
        var isOod = scored.GetColumn<bool>("IsOod").ToArray();
        string?[] classes = predictedLabel
            ? ml.Transforms.Conversion.MapKeyToValue("Class", "PredictedLabel").Fit(scored).Transform(scored)
                .GetColumn<float>("Class").Select(c => c.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : scored.GetColumn<VBuffer<float>>("logits").Select(l => (string?)ArgMax(l.DenseValues().ToArray())).ToArray();
        return isOod.Select((ood, i) => new Offline(scores.ToDictionary(s => s, s => columns[s][i]), ood, classes[i])).ToArray();
    }

    private static string ArgMax(float[] values) => Array.IndexOf(values, values.Max()).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static (string, ITransformer, MLContext, float) FitEmbeddingModel()
    {
        var ml = new MLContext(seed: 1);
        var train = Embeddings(300, 1).Select((e, i) => new EmbeddingRow { Features = e, Label = i % 3 }).Where((_, i) => i % 4 != 3).ToList();
        var data = ml.Data.LoadFromEnumerable(train);
        var scorer = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaNonCalibrated("Label", "Features"))
            .Append(ml.Ood().Energy("EnergyScore", "Score"))
            .Append(ml.Ood().Knn("KnnScore", "Features", k: 5))
            .Fit(data);
        var threshold = ml.Ood().Threshold("IsOod", "KnnScore", idTruePositiveRate: 0.95).Fit(scorer.Transform(data));
        var model = scorer.Append(threshold);
        string path = Path.Combine(Folder, "embedding-model.zip");
        ml.Model.Save(model, data.Schema, path);
        return (path, model, ml, threshold.ThresholdSettings.Threshold);
    }

    private static (string, ITransformer, MLContext, float) FitImageModel()
    {
        var ml = new MLContext(seed: 1);
        string encoder = Path.Combine(RepositoryPaths.Root, "samples", "encoder", "mnist_lenet.onnx");
        var train = ImageView(ml, Images(64, 2));
        var scorer = ml.Transforms.ExtractPixels("input", "Image", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red)
            .Append(ml.Ood().ApplyOnnxEncoder(["embedding", "logits"], ["input"], encoder))
            .Append(ml.Ood().Energy("EnergyScore", "logits"))
            .Append(ml.Ood().MaxSoftmaxProbability("MspScore", "logits"))
            .Append(ml.Ood().Knn("KnnScore", "embedding", k: 5))
            .Fit(train);
        var threshold = ml.Ood().Threshold("IsOod", "KnnScore", idTruePositiveRate: 0.95).Fit(scorer.Transform(ImageView(ml, Images(32, 3))));
        var model = scorer.Append(threshold);
        string path = Path.Combine(Folder, "image-model.zip");
        ml.Model.Save(model, train.Schema, path);
        return (path, model, ml, threshold.ThresholdSettings.Threshold);
    }

    /// <summary>Images created anew on every pass (ExtractPixels disposes the images it read).</summary>
    private static IDataView ImageView(MLContext ml, byte[][] images) => ml.Data.LoadFromEnumerable(ImageRows(images));

    private static IEnumerable<ImageRow> ImageRows(byte[][] images)
    {
        foreach (var grey in images)
        {
            var bgra = new byte[grey.Length * 4];
            for (int i = 0; i < grey.Length; i++)
            {
                bgra[4 * i] = bgra[4 * i + 1] = bgra[4 * i + 2] = grey[i];
                bgra[4 * i + 3] = 255;
            }
            yield return new ImageRow { Image = MLImage.CreateFromPixels(ImageRow.Side, ImageRow.Side, MLPixelFormat.Bgra32, bgra) };
        }
    }
}
