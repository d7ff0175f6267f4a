using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>Logit heads fitted on probabilities (a calibrated trainer's Score) warn through MLContext.Log.</summary>
[TestClass]
public sealed class ProbabilityInputWarningTests
{
    [TestMethod]
    public void ProbabilitiesAreWarnedAbout()
    {
        var (ml, warnings) = ContextWithWarnings();
        float[][] probabilities = [[0.7f, 0.2f, 0.1f], [0.05f, 0.9f, 0.05f]];
        ml.Ood().Energy("Energy", "Logits").Fit(LogitsData.Create(ml, probabilities));

        Assert.HasCount(1, warnings);
        StringAssert.Contains(warnings[0], "column 'Logits'");
        StringAssert.Contains(warnings[0], "expect logits");
    }

    [TestMethod]
    public void LogitsAreNotWarnedAbout()
    {
        var (ml, warnings) = ContextWithWarnings();
        float[][] logits = [[2.5f, -1f, 0.3f], [0.05f, 0.9f, 0.05f]];
        ml.Ood().MaxSoftmaxProbability("Msp", "Logits").Fit(LogitsData.Create(ml, logits));
        Assert.IsEmpty(warnings);
    }

    private static (MLContext, List<string>) ContextWithWarnings()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning)
                warnings.Add(e.RawMessage);
        };
        return (ml, warnings);
    }
}
