using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Logit heads fitted on probabilities (a calibrated trainer's Score) throw at Fit, saying what to use instead and
/// how to opt in; a warning on MLContext.Log went unseen in a plain console app.
/// </summary>
[TestClass]
public sealed class ProbabilityInputTests
{
    // Every row non-negative and summing to 1, as LbfgsMaximumEntropy's Score.
    private static readonly float[][] Probabilities = [[0.7f, 0.2f, 0.1f], [0.05f, 0.9f, 0.05f]];

    public static IEnumerable<object[]> Heads =>
    [
        ["energy", (Func<OodCatalog, bool, IEstimator<ITransformer>>)((ood, allow) => ood.Energy("Score", "Logits", allowProbabilities: allow))],
        ["MSP", (Func<OodCatalog, bool, IEstimator<ITransformer>>)((ood, allow) => ood.MaxSoftmaxProbability("Score", "Logits", allowProbabilities: allow))],
        ["MaxLogit", (Func<OodCatalog, bool, IEstimator<ITransformer>>)((ood, allow) => ood.MaxLogit("Score", "Logits", allowProbabilities: allow))],
    ];

    [TestMethod]
    [DynamicData(nameof(Heads))]
    public void ProbabilitiesAreAnError(string head, Func<OodCatalog, bool, IEstimator<ITransformer>> create)
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => create(ml.Ood(), false).Fit(LogitsData.Create(ml, Probabilities)));
        StringAssert.StartsWith(error.Message, $"The {head} head reads column 'Logits', whose first 2 rows are probabilities");
        StringAssert.Contains(error.Message, "expects logits");
        StringAssert.Contains(error.Message, "SdcaNonCalibrated");
        StringAssert.Contains(error.Message, "the logits output of your ONNX model");
        StringAssert.Contains(error.Message, "pass allowProbabilities: true");
    }

    [TestMethod]
    [DynamicData(nameof(Heads))]
    public void ProbabilitiesAreAcceptedWhenAllowed(string head, Func<OodCatalog, bool, IEstimator<ITransformer>> create)
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Probabilities);
        var scores = create(ml.Ood(), true).Fit(data).Transform(data).GetColumn<float>("Score").ToArray();
        // The formulas on the first row z = (0.7, 0.2, 0.1), by hand:
        // energy = -log(e^0.7 + e^0.2 + e^0.1) = -log(2.0137527 + 1.2214028 + 1.1051709) = -log(4.3403264) = -1.4679495;
        // MSP = -e^0.7 / 4.3403264 = -0.4639634; MaxLogit = -0.7.
        float expected = head switch { "energy" => -1.4679495f, "MSP" => -0.4639634f, _ => -0.7f };
        Assert.AreEqual(expected, scores[0], 1e-5, head);
    }

    [TestMethod]
    public void LogitsAreAccepted()
    {
        var ml = new MLContext(seed: 1);
        float[][] logits = [[2.5f, -1f, 0.3f], [0.05f, 0.9f, 0.05f]];
        var estimator = ml.Ood().MaxSoftmaxProbability("Msp", "Logits");
        Assert.IsFalse(estimator.AllowProbabilities, "refusing probabilities is the default");
        estimator.Fit(LogitsData.Create(ml, logits));
    }
}
