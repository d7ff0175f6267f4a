// MlOod quick start: a classifier that also says "this input belongs to none of my classes".
// Runs on generated data until the image quick start lands: three known classes to train on, and a
// fourth, unknown class at test time. Run it with: dotnet run -c Release --project samples/QuickStart
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood;
using Ml.Ood.Evaluators;
using Ml.Ood.QuickStart;
using Ml.Ood.Transforms;

var ml = new MLContext(seed: 0);
string output = Path.GetFullPath("mlood-quickstart");
Directory.CreateDirectory(output);

// 1. In-distribution (ID) data: classes 0, 1 and 2, for training and, held out, for calibration.
var idTrain = GeneratedData.Load(ml, GeneratedData.Sample(rows: 3000, classes: [0, 1, 2], seed: 1));
var idValidation = GeneratedData.Load(ml, GeneratedData.Sample(rows: 1000, classes: [0, 1, 2], seed: 4));

// 2. The pipeline: a multiclass trainer whose Score holds logits (SdcaNonCalibrated: softmax regression,
//    unnormalised), then one line per OOD score. Calibrated trainers such as LbfgsMaximumEntropy write
//    probabilities to Score instead; MlOod warns if it is given those. KNN and Mahalanobis read the
//    features here; with an image model they read its embedding column.
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.SdcaNonCalibrated("Label", "Features"))
    .Append(ml.Ood().Energy("EnergyScore", "Score"))
    .Append(ml.Ood().MaxSoftmaxProbability("MspScore", "Score"))
    .Append(ml.Ood().MaxLogit("MaxLogitScore", "Score"))
    .Append(ml.Ood().Knn("KnnScore", "Features", k: 50))
    .Append(ml.Ood().Mahalanobis("MahalanobisScore", "Features", labelColumnName: "Label"));
var scorer = pipeline.Fit(idTrain);

// 3. The "unknown" decision, calibrated on held-out ID rows to keep 95% of them (TPR 95%).
var threshold = ml.Ood().Threshold("IsOod", "KnnScore", idTruePositiveRate: 0.95).Fit(scorer.Transform(idValidation));
var model = scorer.Append(threshold);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"KNN threshold (keeps 95% of held-out ID rows): {threshold.Head.GetSingle("threshold"):F4}"));

// 4. Test data: ID rows of the known classes and OOD rows of class 3, which the model never saw.
var test = GeneratedData.Load(ml, GeneratedData.Sample(rows: 1000, classes: [0, 1, 2], seed: 2)
    .Concat(GeneratedData.Sample(rows: 1000, classes: [3], seed: 3, isOod: true)));
var scored = model.Transform(test);

// 5. Measure each score the way the literature does, and keep a ROC plot.
string[] heads = ["EnergyScore", "MspScore", "MaxLogitScore", "KnnScore", "MahalanobisScore"];
var report = new OodReport();
foreach (string head in heads)
    report.Add(head, ml.Ood().Evaluate(scored, isOodColumnName: "IsOodTruth", scoreColumnName: head));
Console.WriteLine(report.ToMarkdown());
report.SaveRocCurvesPng(Path.Combine(output, "roc.png"), "Quick start: ID classes 0-2 vs unseen class 3");
ml.Ood().Evaluate(scored, "IsOodTruth", "KnnScore").SaveScoreHistogramPng(Path.Combine(output, "knn-histogram.png"));

var truth = scored.GetColumn<bool>("IsOodTruth").ToArray();
var flagged = scored.GetColumn<bool>("IsOod").ToArray();
double idFlagged = flagged.Where((_, i) => !truth[i]).Average(f => f ? 1.0 : 0.0);
double oodFlagged = flagged.Where((_, i) => truth[i]).Average(f => f ? 1.0 : 0.0);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"IsOod decision: {100 * oodFlagged:F1}% of OOD rows flagged, {100 * idFlagged:F1}% of ID rows flagged"));

// 6. Save the whole pipeline as a standard ML.NET .zip and load it back, as a service would (another
//    process needs only a reference to Ml.Ood.Transforms); the scores must not change.
string zip = Path.Combine(output, "model.zip");
ml.Model.Save(model, idTrain.Schema, zip);
var reloaded = ml.Model.Load(zip, out _).Transform(test);
double maxDiff = heads.Max(h => scored.GetColumn<float>(h).Zip(reloaded.GetColumn<float>(h), (a, b) => Math.Abs(a - b)).Max());
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Saved to {Path.GetFileName(zip)} and reloaded: max |score difference| = {maxDiff:G3}"));
Console.WriteLine($"Plots: {Path.Combine(output, "roc.png")}, {Path.Combine(output, "knn-histogram.png")}");

// Expected output (values vary slightly by machine; CI checks them loosely):
// KNN threshold (keeps 95% of held-out ID rows): 0.6424
// | Method | AUROC ↑ | AUPR-In ↑ | AUPR-Out ↑ | FPR@95TPR ↓ | FPR@95TPR OOD-pos. ↓ | Det. error ↓ | ID rows | OOD rows |
// |---|---:|---:|---:|---:|---:|---:|---:|---:|
// | EnergyScore | 96.47 | 96.84 | 96.14 | 18.70 | 14.20 | 9.10 | 1000 | 1000 |
// | MspScore | 95.21 | 95.48 | 94.54 | 25.60 | 19.50 | 11.30 | 1000 | 1000 |
// | MaxLogitScore | 96.48 | 96.85 | 96.16 | 18.70 | 14.20 | 9.10 | 1000 | 1000 |
// | KnnScore | **99.81** | **99.81** | **99.82** | **0.60** | **0.30** | **1.30** | 1000 | 1000 |
// | MahalanobisScore | 99.43 | 99.34 | 99.51 | 2.50 | 1.70 | 3.00 | 1000 | 1000 |
//
// Values in %. Scores: higher = OOD. FPR@95TPR: OOD rows kept at the threshold keeping 95% of ID rows; the OOD-positive column is OpenOOD v1.5's ID rows flagged at 95% of OOD rows caught.
//
// IsOod decision: 99.4% of OOD rows flagged, 5.7% of ID rows flagged
// Saved to model.zip and reloaded: max |score difference| = 4.77E-07
// Plots: <folder>/mlood-quickstart/roc.png, <folder>/mlood-quickstart/knn-histogram.png
