using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Every head of this package through <see cref="HeadConformance"/>: schemas, bad input, block sizes, PredictionEngine,
/// both loads and the exported model. Their values are checked against tests/ReferenceVectors elsewhere.
/// </summary>
[TestClass]
public sealed class ConformanceTests
{
    private static readonly float[][] TrainLogits = LogitsData.Random(rows: 50, classes: 6, scale: 5, seed: 21);
    private static readonly float[][] TestLogits = LogitsData.Random(rows: 37, classes: 6, scale: 5, seed: 22);
    private static readonly NegativeLabelReference Text = NegativeLabelReference.Load();

    [TestMethod]
    public void Energy()
        => CheckLogitHead<EnergySettings>("energy(T=1)", "Energy", (ml, o) => ml.Ood().Energy("Energy", "Logits", execution: o));

    [TestMethod]
    public void EnergyAtAnotherTemperature()
        => CheckLogitHead<EnergySettings>("energy(T=2.5)", "Energy", (ml, o) => ml.Ood().Energy("Energy", "Logits", temperature: 2.5f, execution: o));

    [TestMethod]
    public void MaxSoftmaxProbability()
        => CheckLogitHead<MaxSoftmaxProbabilitySettings>("msp", "Msp", (ml, o) => ml.Ood().MaxSoftmaxProbability("Msp", "Logits", execution: o));

    [TestMethod]
    public void MaxLogit()
        => CheckLogitHead<MaxLogitSettings>("maxlogit", "MaxLogit", (ml, o) => ml.Ood().MaxLogit("MaxLogit", "Logits", execution: o));

    [TestMethod]
    public void MaximumConceptMatching()
        => CheckImageHead<MaximumConceptMatchingSettings>("mcm(T=0.1)", "Mcm",
            (ml, o) => ml.Ood().MaximumConceptMatching("Mcm", "Embedding", Text.IdText, temperature: 0.1f, execution: o));

    [TestMethod]
    public void NegativeLabels()
        => CheckImageHead<NegativeLabelSettings>("neglabel(T=0.01, G=4, shuffled)", "NegLabel",
            (ml, o) => ml.Ood().NegativeLabels("NegLabel", "Embedding", Text.IdText, Text.NegativeText, 0.01f, groups: 4, shuffleSeed: 3, execution: o));

    private static void CheckLogitHead<TSettings>(string head, string output, Func<MLContext, OodExecutionOptions?, OodHeadEstimator> estimator)
        where TSettings : OodHeadSettings
    {
        var ml = new MLContext(seed: 1);
        HeadConformance.Check<TSettings>(ml, head, o => estimator(ml, o), LogitsData.Create(ml, TrainLogits), LogitsData.Create(ml, TestLogits), output);
    }

    private static void CheckImageHead<TSettings>(string head, string output, Func<MLContext, OodExecutionOptions?, OodHeadEstimator> estimator)
        where TSettings : OodHeadSettings
    {
        var ml = new MLContext(seed: 1);
        HeadConformance.Check<TSettings>(ml, head, o => estimator(ml, o),
            ImageEmbeddings.Create(ml, Text.Image.Take(10).ToArray()), ImageEmbeddings.Create(ml, Text.Image), output);
    }
}
