using Microsoft.ML;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Every head's input column is required (issue 11): a null or blank name used to fall back to the output's name,
/// so <c>Energy("EnergyScore")</c> looked for a column named EnergyScore. Now it throws, naming the parameter.
/// </summary>
[TestClass]
public sealed class RequiredInputColumnTests
{
    private static readonly float[][] Classes = [[1, 0]];

    public static IEnumerable<object?[]> MissingNames => [[null], [""], ["   "]];

    [TestMethod]
    [DynamicData(nameof(MissingNames))]
    public void EveryHeadRequiresItsInputColumn(string? name)
    {
        var ood = new MLContext(seed: 1).Ood();
        AssertNamesInput(() => ood.Energy("Energy", name!));
        AssertNamesInput(() => ood.MaxSoftmaxProbability("Msp", name!));
        AssertNamesInput(() => ood.MaxLogit("MaxLogit", name!));
        AssertNamesInput(() => ood.MaximumConceptMatching("Mcm", name!, Classes));
        AssertNamesInput(() => ood.NegativeLabels("NegLabel", name!, Classes, [[0, 1]]));
        AssertNamesInput(() => ood.TemperatureScaling("Ts", name!, 1.5f));
        AssertNamesInput(() => ood.JointEnergy("JointEnergy", name!));
        AssertNamesInput(() => ood.DeltaEnergy("Delta", name!, Classes));
    }

    private static void AssertNamesInput(Action create)
    {
        // ArgumentNullException for null, ArgumentException for blank: both are ArgumentExceptions naming the parameter.
        var error = Assert.Throws<ArgumentException>(create);
        Assert.AreEqual("inputColumnName", error.ParamName);
    }
}
