using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Ml.Ood.QuickStart;

/// <summary>The fitted detector: the whole model, and the two parts fitted on held-out images, whose values the quick start prints.</summary>
public sealed record Detector(ITransformer Model, OodHeadTransformer Threshold, OodHeadTransformer Temperature);

/// <summary>How many images each step uses; the quick start's defaults run in well under 5 minutes on 2 cores.</summary>
public sealed record JobSizes(int Bank = 10_000, int Validation = 1_000, int Test = 2_000, int OpenSetTrain = 6_000, int OpenSetTest = 2_000, int Seed = 0);

/// <summary>
/// The quick start's job, in steps the end-to-end tests reuse: the pipeline of docs/ARCHITECTURE.md section 1 on MNIST
/// (LeNet encoder in ONNX, then OOD heads), scored against Fashion-MNIST (near-OOD) and textures (far-OOD),
/// and an open-set split (digits 0-5 known, 6-9 unknown) with an ML.NET classifier on the embeddings.
/// </summary>
public static class OodJob
{
    /// <summary>Every head the LeNet encoder can feed, by family: its logits, its embedding with its last layer, distances.</summary>
    public static readonly string[] Heads =
    [
        "EnergyScore", "MspScore", "MaxLogitScore", "GenScore", "TemperatureScore",
        "ReActScore", "AshPScore", "AshBScore", "AshSScore", "ScaleScore", "VimScore", "FdbdScore", "NnGuideScore",
        "KnnScore", "MahalanobisScore", "RmdsScore",
    ];

    public static string EncoderPath => Path.Combine(Repository.Root, "samples", "encoder", "mnist_lenet.onnx");

    /// <summary>The encoder's last layer (its final Gemm: logits = W embedding + b), read from the ONNX file.</summary>
    public static OodClassifierLayer Layer() => OodClassifierLayer.FromOnnx(EncoderPath, "logits");

    /// <summary>
    /// Pixels (one grey plane, raw 0..255) into the encoder, which outputs "embedding" and "logits". ml.Ood().ApplyOnnxEncoder
    /// is ML.NET's ApplyOnnxModel (same columns, same values) run a block of images per ONNX Runtime call, on every core.
    /// </summary>
    public static IEstimator<ITransformer> Encoder(MLContext ml)
        => ml.Transforms.ExtractPixels("input", "Image", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red)
            .Append(ml.Ood().ApplyOnnxEncoder(["embedding", "logits"], ["input"], EncoderPath));

    /// <summary>
    /// The detector: encoder, then one line per OOD score, then temperature scaling and the decision, both fitted on
    /// held-out ID images (the training images are classified perfectly, where no temperature minimises the NLL).
    /// </summary>
    public static Detector FitDetector(MLContext ml, MnistData data, JobSizes sizes)
    {
        var layer = Layer();
        var pipeline = Encoder(ml)
            .AppendCacheCheckpoint(ml) // the heads that learn from data read the embeddings once, not once each
            .Append(ml.Ood().Energy("EnergyScore", "logits"))
            .Append(ml.Ood().MaxSoftmaxProbability("MspScore", "logits"))
            .Append(ml.Ood().MaxLogit("MaxLogitScore", "logits"))
            .Append(ml.Ood().GeneralizedEntropy("GenScore", "logits"))
            .Append(ml.Ood().ReAct("ReActScore", "embedding", layer))
            .Append(ml.Ood().Ash("AshPScore", "embedding", layer, AshMode.P))
            .Append(ml.Ood().Ash("AshBScore", "embedding", layer, AshMode.B))
            .Append(ml.Ood().Ash("AshSScore", "embedding", layer, AshMode.S))
            .Append(ml.Ood().Scale("ScaleScore", "embedding", layer))
            .Append(ml.Ood().Vim("VimScore", "embedding", layer))
            .Append(ml.Ood().Fdbd("FdbdScore", "embedding", layer))
            .Append(ml.Ood().NnGuide("NnGuideScore", "embedding", layer, bankFraction: null))
            .Append(ml.Ood().Knn("KnnScore", "embedding", k: 50))
            .Append(ml.Ood().Mahalanobis("MahalanobisScore", "embedding", labelColumnName: "Label"))
            .Append(ml.Ood().Rmds("RmdsScore", "embedding", labelColumnName: "Label"));
        var scorer = pipeline.Fit(BankImages(ml, data, sizes));
        var validation = ml.Data.Cache(scorer.Transform(ValidationImages(ml, data, sizes)));
        var temperature = ml.Ood().TemperatureScaling("TemperatureScore", "logits", labelColumnName: "Label").Fit(validation);
        var threshold = ml.Ood().Threshold("IsOod", "KnnScore", idTruePositiveRate: 0.95).Fit(validation);
        return new(scorer.Append(temperature).Append(threshold), threshold, temperature);
    }

    /// <summary>The OOD sets present, as (name, Set value): near-OOD always, far-OOD when the textures are there.</summary>
    public static IReadOnlyList<(string Name, int Set)> OodSets(MnistData data)
        => data.HasTextures ? [("near", 1), ("far", -1)] : [("near", 1)];

    /// <summary>The MNIST training images the KNN bank and the Gaussians are fitted on.</summary>
    public static IDataView BankImages(MLContext ml, MnistData data, JobSizes sizes)
        => ImageRows.Load(ml, (data.MnistTrain(sizes.Bank, sizes.Seed), 0));

    /// <summary>Held-out MNIST test images (disjoint from the test images below) for calibration.</summary>
    public static IDataView ValidationImages(MLContext ml, MnistData data, JobSizes sizes)
        => ImageRows.Load(ml, (data.MnistTest(sizes.Validation, sizes.Seed + 1), 0));

    /// <summary>The test images (MNIST, Fashion-MNIST, textures; disjoint from the validation images), in that order.</summary>
    public static IDataView TestImages(MLContext ml, MnistData data, JobSizes sizes)
    {
        var mnist = data.MnistTest(sizes.Validation + sizes.Test, sizes.Seed + 1).Skip(sizes.Validation).ToList();
        return ImageRows.Load(ml, (mnist, 0), (data.FashionTest(sizes.Test, sizes.Seed + 2), 1), (data.TextureCrops(sizes.Test, sizes.Seed + 3), -1));
    }

    /// <summary>Every head's scores of the test images, one line per head, for comparing two processes.</summary>
    public static void WriteScores(IDataView scored, string path)
        => File.WriteAllLines(path, Heads.Select(h => h + " " + string.Join(' ',
            scored.GetColumn<float>(h).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));

    /// <summary>Metrics of one head on MNIST against one OOD set (1 = Fashion-MNIST, -1 = textures).</summary>
    public static OodDetectionMetrics Evaluate(MLContext ml, IDataView scored, string head, int oodSet)
    {
        // Set is 0 for MNIST: keep [0, 2) for near-OOD and [-1, 1) for far-OOD.
        var rows = ml.Data.FilterRowsByColumn(scored, "Set", lowerBound: Math.Min(0, oodSet), upperBound: Math.Max(0, oodSet) + 1);
        return ml.Ood().Evaluate(rows, isOodColumnName: "IsOodTruth", scoreColumnName: head);
    }

    /// <summary>Open set: a classifier of digits 0-5 on the embeddings; digits 6-9 at test time are unknown.</summary>
    public static (OpenSetMetrics Energy, OpenSetMetrics Knn) OpenSet(MLContext ml, MnistData data, JobSizes sizes)
    {
        var known = ImageRows.Load(ml, (data.MnistTrain(sizes.OpenSetTrain, sizes.Seed + 4, label => label <= 5), 0));
        var model = Encoder(ml)
            .AppendCacheCheckpoint(ml)
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.SdcaNonCalibrated("Label", "embedding"))
            .Append(ml.Ood().Energy("OpenSetEnergy", "Score"))
            .Append(ml.Ood().Knn("OpenSetKnn", "embedding", k: 50))
            .Fit(known);
        var test = data.MnistTest(sizes.OpenSetTest, sizes.Seed + 5);
        var rows = ImageRows.Load(ml, (test.Where(i => i.Label <= 5).ToList(), 0), (test.Where(i => i.Label > 5).ToList(), 1));
        var scored = ml.Data.Cache(model.Transform(rows));
        return (ml.Ood().EvaluateOpenSet(scored, "IsOodTruth", "Label", "PredictedLabel", "OpenSetEnergy"),
                ml.Ood().EvaluateOpenSet(scored, "IsOodTruth", "Label", "PredictedLabel", "OpenSetKnn"));
    }
}
