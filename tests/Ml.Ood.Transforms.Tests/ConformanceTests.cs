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
    // 12-d: rows of 48 bytes lie at every alignment in a block, where a row sum's rounding used to depend on it.
    private static readonly float[][] IdText = LogitsData.Random(rows: 5, classes: 12, scale: 1, seed: 23);
    private static readonly float[][] NegativeText = LogitsData.Random(rows: 19, classes: 12, scale: 1, seed: 24);
    private static readonly float[][] TrainImages = LogitsData.Random(rows: 10, classes: 12, scale: 2, seed: 25);
    private static readonly float[][] TestImages = LogitsData.Random(rows: 41, classes: 12, scale: 2, seed: 26);
    // Penultimate features are post-ReLU: non-negative, and here without ties, so that the top k are one set.
    private static readonly float[][] TrainFeatures = Magnitudes(LogitsData.Random(rows: 10, classes: 12, scale: 2, seed: 27));
    private static readonly float[][] TestFeatures = Magnitudes(LogitsData.Random(rows: 41, classes: 12, scale: 2, seed: 28));
    private static readonly OodClassifierLayer Layer =
        OodClassifierLayer.FromArrays(LogitsData.Random(rows: 5, classes: 12, scale: 1, seed: 29), LogitsData.Random(rows: 1, classes: 5, scale: 1, seed: 30)[0]);

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
            (ml, o) => ml.Ood().MaximumConceptMatching("Mcm", "Embedding", IdText, temperature: 0.1f, execution: o));

    [TestMethod]
    public void GeneralizedEntropy()
        => CheckLogitHead<GeneralizedEntropySettings>("gen(g=0.1, M=100)", "Gen", (ml, o) => ml.Ood().GeneralizedEntropy("Gen", "Logits", execution: o));

    [TestMethod]
    public void GeneralizedEntropyOverTheTopClasses()
        => CheckLogitHead<GeneralizedEntropySettings>("gen(g=0.5, M=3)", "Gen", (ml, o) => ml.Ood().GeneralizedEntropy("Gen", "Logits", 0.5f, 3, execution: o));

    [TestMethod]
    public void NegativeLabels()
        => CheckImageHead<NegativeLabelSettings>("neglabel(T=0.01)", "NegLabel",
            (ml, o) => ml.Ood().NegativeLabels("NegLabel", "Embedding", IdText, NegativeText, execution: o));

    [TestMethod]
    public void NegativeLabelsInShuffledGroups()
        => CheckImageHead<NegativeLabelSettings>("neglabel(T=1, G=5, shuffled)", "NegLabel",
            (ml, o) => ml.Ood().NegativeLabels("NegLabel", "Embedding", IdText, NegativeText, 1f, groups: 5, shuffleSeed: 3, execution: o));

    [TestMethod]
    public void TemperatureScaling()
        => CheckLogitHead<TemperatureScalingSettings>("temperature_scaling(T=1.7)", "Ts",
            (ml, o) => ml.Ood().TemperatureScaling("Ts", "Logits", 1.7f, execution: o));

    [TestMethod]
    public void JointEnergy()
        => CheckLogitHead<JointEnergySettings>("joint_energy", "JointEnergy", (ml, o) => ml.Ood().JointEnergy("JointEnergy", "Logits", execution: o));

    [TestMethod]
    public void DeltaEnergy()
        => CheckImageHead<DeltaEnergySettings>("delta_energy(T=0.01)", "Delta",
            (ml, o) => ml.Ood().DeltaEnergy("Delta", "Embedding", IdText, execution: o));

    [TestMethod]
    public void DeltaEnergyLoweringTwoCosines()
        => CheckImageHead<DeltaEnergySettings>("delta_energy(T=0.05, 2 lowered to -0.2)", "Delta",
            (ml, o) => ml.Ood().DeltaEnergy("Delta", "Embedding", IdText, 0.05f, loweredCosine: -0.2f, loweredCount: 2, execution: o));

    [TestMethod]
    [DataRow(AshMode.P)]
    [DataRow(AshMode.B)]
    [DataRow(AshMode.S)]
    public void Ash(AshMode mode)
        => CheckFeatureHead<AshSettings>($"ash-{mode}(p=65)", "Ash", (ml, o) => ml.Ood().Ash("Ash", "Embedding", Layer, mode, 65, execution: o));

    [TestMethod]
    public void Scale()
        => CheckFeatureHead<ScaleSettings>("scale(p=85)", "Scale", (ml, o) => ml.Ood().Scale("Scale", "Embedding", Layer, execution: o));

    private static void CheckFeatureHead<TSettings>(string head, string output, Func<MLContext, OodExecutionOptions?, OodHeadEstimator> estimator)
        where TSettings : OodHeadSettings
    {
        var ml = new MLContext(seed: 1);
        HeadConformance.Check<TSettings>(ml, head, o => estimator(ml, o),
            ImageEmbeddings.Create(ml, TrainFeatures), ImageEmbeddings.Create(ml, TestFeatures), output);
    }

    private static float[][] Magnitudes(float[][] rows) => [.. rows.Select(r => r.Select(MathF.Abs).ToArray())];

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
            ImageEmbeddings.Create(ml, TrainImages), ImageEmbeddings.Create(ml, TestImages), output);
    }
}
