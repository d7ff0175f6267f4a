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
// A folder of images scored as a stream by OODD, a test-time head whose dictionary of the most OOD-like images seen so far
// fills as the stream goes: dotnet run samples/apps/stream-folder-oodd.cs
// The folder is $MLOOD_STREAM_FOLDER (28 x 28 digits-like PNG or JPEG files, scored in file-name order); without it, a
// demo folder of 1,000 MNIST and 1,000 Fashion-MNIST test images in a seeded order is written first, named so that the
// end can measure the stream. Data: samples/data/fetch.sh (as mnist-energy-knn.cs); encoder: samples/encoder.
using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Ml.Ood;

// Step 1: the MNIST training images OODD's bank is built from, fetched once.
string repo = Directory.GetCurrentDirectory();
while (!File.Exists(Path.Combine(repo, "MlOod.sln")))
{
    repo = Path.GetDirectoryName(repo) ?? throw new DirectoryNotFoundException("Run from inside the MlOod repository.");
}
string? dataFolder = Environment.GetEnvironmentVariable("MLOOD_DATA");
string cache = string.IsNullOrEmpty(dataFolder) ? Path.Combine(repo, ".cache", "mlood-data") : dataFolder;
if (!File.Exists(Path.Combine(cache, "fashion-mnist", "t10k-labels-idx1-ubyte")) || !File.Exists(Path.Combine(cache, "mnist", "t10k-labels-idx1-ubyte")))
{
    Console.WriteLine($"Fetching the data sets into {cache} (once; see samples/data/README.md)...");
    using var fetch = Process.Start("bash", [Path.Combine(repo, "samples", "data", "fetch.sh")]);
    fetch.WaitForExit();
    if (fetch.ExitCode != 0)
    {
        Console.Error.WriteLine("stream-folder-oodd: samples/data/fetch.sh failed (its error is above); see samples/data/README.md.");
        Environment.Exit(1);
    }
}

List<(byte[] Pixels, float Label)> ReadIdx(string set, string split, int count)
{
    byte[] images = File.ReadAllBytes(Path.Combine(cache, set, $"{split}-images-idx3-ubyte"));
    byte[] labels = File.ReadAllBytes(Path.Combine(cache, set, $"{split}-labels-idx1-ubyte"));
    int total = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4));
    return Enumerable.Range(0, Math.Min(count, total)).Select(i => (images.AsSpan(16 + i * 784, 784).ToArray(), (float)labels[8 + i])).ToList();
}

MLImage Grey(byte[] pixels)
{
    var bgra = new byte[pixels.Length * 4];
    for (int i = 0; i < pixels.Length; i++)
    {
        (bgra[4 * i], bgra[4 * i + 1], bgra[4 * i + 2], bgra[4 * i + 3]) = (pixels[i], pixels[i], pixels[i], 255);
    }
    return MLImage.CreateFromPixels(28, 28, MLPixelFormat.Bgra32, bgra);
}

// Step 2: the folder to stream; without one, a demo folder whose file names say which images are Fashion-MNIST.
string folder = Environment.GetEnvironmentVariable("MLOOD_STREAM_FOLDER") ?? "";
if (folder.Length == 0)
{
    folder = Path.Combine(repo, ".cache", "mlood-stream-demo");
    var demo = ReadIdx("mnist", "t10k", 1000).Select(i => (i.Pixels, Name: "mnist"))
        .Concat(ReadIdx("fashion-mnist", "t10k", 1000).Select(i => (i.Pixels, Name: "fashion"))).ToArray();
    new Random(7).Shuffle(demo);
    Directory.CreateDirectory(folder);
    for (int i = 0; i < demo.Length; i++)
    {
        using var image = Grey(demo[i].Pixels);
        image.Save(Path.Combine(folder, $"{i:D5}-{demo[i].Name}.png"));
    }
    Console.WriteLine($"Wrote {demo.Length:N0} demo images (MNIST and Fashion-MNIST, seeded order) to {folder}");
}
string[] files = Directory.GetFiles(folder).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)
    || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToArray();

// Step 3: fit the encoder (LeNet in ONNX) and OODD on 5,000 MNIST training images: a bank of the most confidently
// classified half (alpha = 0.5) and an empty dictionary of at most q = 128 rows, updated every B = 32 images.
var ml = new MLContext(seed: 0);
var train = ml.Data.LoadFromEnumerable(ReadIdx("mnist", "train", 5000).Select(i => new Digit { Image = Grey(i.Pixels), Label = i.Label }));
var encoder = ml.Transforms.ExtractPixels("input", "Image", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red)
    .Append(ml.Transforms.ApplyOnnxModel(["embedding", "logits"], ["input"], Path.Combine(repo, "samples", "encoder", "mnist_lenet.onnx")))
    .Fit(train);
var embedded = ml.Data.Cache(encoder.Transform(train));
var oodd = ml.Ood().Oodd(new OoddOptions
{
    FeatureColumnName = "embedding", LabelColumnName = "Label", LogitsColumnName = "logits",
    K1 = 5, K2 = 5, Capacity = 128, UpdateBatch = 32,
}).Fit(embedded);

// Step 4: stream the folder, B images at a time, through one streaming scorer; the log shows the dictionary filling.
using var scorer = ml.Ood().CreateStreamingScorer(oodd);
var scores = new List<float>();
for (int start = 0; start < files.Length; start += scorer.UpdateBatch)
{
    var batch = files.Skip(start).Take(scorer.UpdateBatch).Select(f => new Digit { Image = MLImage.CreateFromFile(f) });
    float[][] embeddings = encoder.Transform(ml.Data.LoadFromEnumerable(batch)).GetColumn<float[]>("embedding").ToArray();
    scores.AddRange(scorer.Score(embeddings));
    using var snapshot = scorer.Snapshot();
    if (snapshot.DictionaryRows == 128 && start % 512 != 0 && start + scorer.UpdateBatch < files.Length)
    {
        continue; // once the dictionary is full, one line per 512 images
    }

    Console.WriteLine($"{snapshot.RowsSeen,5:N0} images scored; dictionary {snapshot.DictionaryRows,3} of 128 rows; " +
        $"mean OODD score of this batch {scores.Skip(start).Average():F4}");
}

// Step 5: with the demo's names, measure the stream (higher score = more likely OOD).
bool[] isOod = files.Select(f => Path.GetFileName(f).Contains("fashion", StringComparison.Ordinal)).ToArray();
if (isOod.Any(o => o) && isOod.Any(o => !o))
{
    var metrics = OodMetrics.EvaluateDetection(isOod, scores.ToArray());
    Console.WriteLine($"OODD over the stream: AUROC {metrics.AreaUnderRocCurve:F4}, FPR@95TPR {metrics.FalsePositiveRateAtTruePositiveRate95:F4}");
}

/// <summary>One image (and, for training, its digit).</summary>
public sealed class Digit
{
    [ImageType(28, 28)]
    public MLImage Image { get; set; } = null!;

    public float Label { get; set; }
}
