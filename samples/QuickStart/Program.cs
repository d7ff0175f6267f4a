// MlOod quick start: a classifier that also says "this input belongs to none of my classes".
// Runs on generated data until the image quick start lands: three known classes to train on, and a
// fourth, unknown class at test time. Run it with: dotnet run -c Release --project samples/QuickStart
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood;
using Ml.Ood.QuickStart;

var ml = new MLContext(seed: 0);

// 1. In-distribution (ID) training data: classes 0, 1 and 2.
var idTrain = GeneratedData.Load(ml, GeneratedData.Sample(rows: 3000, classes: [0, 1, 2], seed: 1));

// 2. The pipeline: a multiclass trainer whose Score holds logits (SdcaNonCalibrated: softmax regression,
//    unnormalised), then one line per OOD score on that column. Calibrated trainers such as
//    LbfgsMaximumEntropy write probabilities to Score instead; MlOod warns if it is given those.
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.SdcaNonCalibrated("Label", "Features"))
    .Append(ml.Ood().Energy("EnergyScore", "Score"))
    .Append(ml.Ood().MaxSoftmaxProbability("MspScore", "Score"))
    .Append(ml.Ood().MaxLogit("MaxLogitScore", "Score"));
var model = pipeline.Fit(idTrain);

// 3. Test data: ID rows of the known classes and OOD rows of class 3, which the model never saw.
var idTest = GeneratedData.Sample(rows: 1000, classes: [0, 1, 2], seed: 2);
var oodTest = GeneratedData.Sample(rows: 1000, classes: [3], seed: 3);
var test = GeneratedData.Load(ml, idTest.Concat(oodTest));
var scored = model.Transform(test);

// 4. Save the whole pipeline as a standard ML.NET .zip, load it back (in a service this is another
//    process), and check the scores are the same.
string zip = Path.Combine(Path.GetTempPath(), "mlood-quickstart.zip");
ml.Model.Save(model, idTrain.Schema, zip);
var loaded = ml.Model.Load(zip, out _);
var reloaded = loaded.Transform(test);

string[] heads = ["EnergyScore", "MspScore", "MaxLogitScore"];
var isOod = idTest.Select(_ => false).Concat(oodTest.Select(_ => true)).ToArray();
Console.WriteLine("Score (higher = more likely OOD)   mean ID    mean OOD   OOD above 95% of ID   max |saved - loaded|");
foreach (string head in heads)
{
    float[] scores = scored.GetColumn<float>(head).ToArray();
    float[] again = reloaded.GetColumn<float>(head).ToArray();
    double[] id = scores.Where((_, i) => !isOod[i]).Select(s => (double)s).ToArray();
    double[] ood = scores.Where((_, i) => isOod[i]).Select(s => (double)s).ToArray();
    // The "unknown" threshold that keeps 95% of ID rows; the fraction of OOD rows above it is the TPR at 5% FPR.
    double threshold = id.Order().ElementAt((int)Math.Ceiling(0.95 * id.Length) - 1);
    double caught = ood.Count(s => s > threshold) / (double)ood.Length;
    double diff = scores.Zip(again, (a, b) => Math.Abs(a - b)).Max();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{head,-33}{id.Average(),9:F3}{ood.Average(),12:F3}{caught * 100,17:F1}%{diff,24:G3}"));
}

// Expected output (values vary slightly by machine; CI checks them loosely):
// Score (higher = more likely OOD)   mean ID    mean OOD   OOD above 95% of ID   max |saved - loaded|
// EnergyScore                        -14.086      -4.660             80.9%                2.38E-07
// MspScore                            -0.997      -0.888             74.2%                       0
// MaxLogitScore                      -14.083      -4.524             80.4%                       0
