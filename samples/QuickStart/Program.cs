// MlOod quick start: an MNIST classifier in ONNX that also says "this image is none of my digits".
// One command: dotnet run -c Release --project samples/QuickStart
// It fetches the data sets once (samples/data/fetch.sh), runs the pipeline of DESIGN.md section 1 with every
// OOD head, measures it against near-OOD (Fashion-MNIST) and far-OOD (texture crops) images and on an
// open-set split, writes ROC curves and histograms, and checks the saved model scores the same.
// Options: --dump DIR writes embeddings, logits and scores as .npy for ../shared/bench/peer.py;
//          --score-saved ZIP OUT (used by the tests) scores the test images with a saved model, loaded
//          with plain ml.Model.Load in this fresh process, and writes the scores to OUT.
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood;
using Ml.Ood.Evaluators;
using Ml.Ood.QuickStart;
using Ml.Ood.Transforms;

var ml = new MLContext(seed: 0);
var sizes = new JobSizes();
var clock = Stopwatch.StartNew();
void Step(string what) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,5:F1} s] {what}"));

if (args is ["--score-saved", var savedZip, var scoresFile])
{
    OodJob.WriteScores(ml.Model.Load(savedZip, out _).Transform(OodJob.TestImages(ml, MnistData.Open(), sizes)), scoresFile);
    return;
}

// 1. Data: MNIST is in-distribution; Fashion-MNIST and texture crops are out-of-distribution.
Step("Loading MNIST, Fashion-MNIST and textures");
var data = MnistData.Open();
string output = Path.GetFullPath("mlood-quickstart");
Directory.CreateDirectory(output);

// 2. Fit: encoder (ONNX) -> energy, MSP, MaxLogit on its logits; KNN and Mahalanobis on its embedding;
//    then the "unknown" decision, calibrated to keep 95% of held-out MNIST images.
Step($"Fitting the detector: encoder, heads, a KNN bank of {sizes.Bank:N0} MNIST images");
var (model, threshold) = OodJob.FitDetector(ml, data, sizes);
Step(string.Create(CultureInfo.InvariantCulture, $"KNN threshold (keeps 95% of held-out MNIST): {threshold.Head.GetSingle("threshold"):F4}"));

// 3. Score the test images once, and measure every head against each OOD set.
Step($"Scoring {sizes.Test:N0} images each of MNIST, Fashion-MNIST and textures");
var scored = ml.Data.Cache(model.Transform(OodJob.TestImages(ml, data, sizes)));
Console.WriteLine();
Console.WriteLine("                   |   near-OOD: Fashion-MNIST            |   far-OOD: textures");
Console.WriteLine("Score              |  AUROC  FPR@95 AUPR-In AUPR-Out      |  AUROC  FPR@95 AUPR-In AUPR-Out");
foreach (string head in OodJob.Heads)
{
    var n = OodJob.Evaluate(ml, scored, head, 1);
    var f = OodJob.Evaluate(ml, scored, head, -1);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{head,-18} | {n.AreaUnderRocCurve,6:F4} {n.FalsePositiveRateAtTruePositiveRate95,7:F4} {n.AreaUnderPrecisionRecallCurveIn,7:F4} {n.AreaUnderPrecisionRecallCurveOut,8:F4}      | " +
        $"{f.AreaUnderRocCurve,6:F4} {f.FalsePositiveRateAtTruePositiveRate95,7:F4} {f.AreaUnderPrecisionRecallCurveIn,7:F4} {f.AreaUnderPrecisionRecallCurveOut,8:F4}"));
}
var truth = scored.GetColumn<bool>("IsOodTruth").ToArray();
var flagged = scored.GetColumn<bool>("IsOod").ToArray();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"IsOod decision (KNN): {100 * flagged.Where((_, i) => truth[i]).Average(f => f ? 1.0 : 0.0):F1}% of OOD images flagged, " +
    $"{100 * flagged.Where((_, i) => !truth[i]).Average(f => f ? 1.0 : 0.0):F1}% of MNIST images flagged"));
Console.WriteLine();

// 4. Open set: a classifier of digits 0-5 on the embeddings (ML.NET's SdcaNonCalibrated); digits 6-9 unknown.
Step("Open set: digits 0-5 known, 6-9 unknown");
var (openEnergy, openKnn) = OodJob.OpenSet(ml, data, sizes);
Step(string.Create(CultureInfo.InvariantCulture,
    $"Open set: closed-set accuracy {openEnergy.ClosedSetAccuracy:F4}; OpenAUC energy {openEnergy.OpenAuc:F4}, KNN {openKnn.OpenAuc:F4}"));

// 5. Plots: ROC curves of every head and score histograms, drawn by QuickStart.Plots in its own process
//    (ScottPlot needs SkiaSharp 3; ML.NET's ImageAnalytics, loaded here, needs SkiaSharp 2.88).
Plots.Draw(ml, scored, OodJob.Heads, output);

// 6. Save the whole pipeline as a standard ML.NET .zip, load it back as a service would, compare.
string zip = Path.Combine(output, "mnist-ood.zip");
ml.Model.Save(model, ImageRows.Load(ml).Schema, zip);
var reloaded = ml.Model.Load(zip, out _).Transform(OodJob.TestImages(ml, data, sizes));
double maxDiff = OodJob.Heads.Max(h => scored.GetColumn<float>(h).Zip(reloaded.GetColumn<float>(h), (a, b) => Math.Abs(a - b)).Max());
Step(string.Create(CultureInfo.InvariantCulture, $"Saved {Path.GetFileName(zip)} and reloaded it: max |score difference| = {maxDiff:G3}"));
OodJob.WriteScores(scored, Path.Combine(output, "test-scores.txt"));
Step($"Plots and model in {output}");

if (args is ["--dump", var dump])
{
    PeerDump.Write(ml, scored, OodJob.Encoder(ml).Fit(OodJob.BankImages(ml, data, sizes)).Transform(OodJob.BankImages(ml, data, sizes)), dump);
    Step($"Embeddings, logits and scores for ../shared/bench/peer.py in {Path.GetFullPath(dump)}");
}

// Expected output (timings and the last digits vary by machine; CI checks the metrics loosely):
// [  0.0 s] Loading MNIST, Fashion-MNIST and textures
// [  0.0 s] Fitting the detector: encoder, heads, a KNN bank of 10,000 MNIST images
// [  3.3 s] KNN threshold (keeps 95% of held-out MNIST): 0.4457
// [  3.3 s] Scoring 2,000 images each of MNIST, Fashion-MNIST and textures
//
//                    |   near-OOD: Fashion-MNIST            |   far-OOD: textures
// Score              |  AUROC  FPR@95 AUPR-In AUPR-Out      |  AUROC  FPR@95 AUPR-In AUPR-Out
// EnergyScore        | 0.9982  0.0025  0.9984   0.9981      | 1.0000  0.0000  1.0000   1.0000
// MspScore           | 0.9907  0.0260  0.9925   0.9891      | 0.9996  0.0000  0.9997   0.9996
// MaxLogitScore      | 0.9979  0.0025  0.9982   0.9977      | 1.0000  0.0000  1.0000   1.0000
// KnnScore           | 0.9902  0.0315  0.9912   0.9890      | 0.9867  0.0420  0.9862   0.9873
// MahalanobisScore   | 0.7730  0.9490  0.8378   0.6593      | 0.8256  1.0000  0.8970   0.6794
// IsOod decision (KNN): 96.2% of OOD images flagged, 4.9% of MNIST images flagged
//
// [  5.6 s] Open set: digits 0-5 known, 6-9 unknown
// [  9.2 s] Open set: closed-set accuracy 0.9967; OpenAUC energy 0.9768, KNN 0.9958
// [ 12.7 s] Saved mnist-ood.zip and reloaded it: max |score difference| = 1.91E-06
// [ 12.7 s] Plots and model in <current folder>/mlood-quickstart
