using Microsoft.ML;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// The fitted heads' input column is required (issue 11), in the catalog methods and in the options classes;
/// a null or blank name throws, naming the parameter or the property.
/// </summary>
[TestClass]
public sealed class RequiredInputColumnTests
{
    private static readonly float[][] Classes = [[1, 0]];

    public static IEnumerable<object?[]> MissingNames => [[null], [""], ["   "]];

    [TestMethod]
    [DynamicData(nameof(MissingNames))]
    public void CatalogMethodsRequireTheInputColumn(string? name)
    {
        var ood = new MLContext(seed: 1).Ood();
        AssertNames("inputColumnName", () => ood.Knn("Knn", name!));
        AssertNames("inputColumnName", () => ood.Mahalanobis("Mds", name!));
        AssertNames("inputColumnName", () => ood.Threshold("IsOod", name!));
        AssertNames("inputColumnName", () => ood.TemperatureScaling("Ts", name!, "Label"));
        AssertNames("inputColumnName", () => ood.NegativeLabelsFromLexicon("NegLabel", name!, ["cat"], Classes, [new("car")], [[0, 1]]));
    }

    [TestMethod]
    [DynamicData(nameof(MissingNames))]
    public void OptionsRequireTheInputColumn(string? name)
    {
        var ood = new MLContext(seed: 1).Ood();
        AssertNames("InputColumnName", () => ood.Knn(new KnnOptions { InputColumnName = name! }));
        AssertNames("InputColumnName", () => ood.NegativeLabelsFromLexicon(["cat"], Classes, [new("car")], [[0, 1]],
            new NegativeLabelMiningOptions { InputColumnName = name! }));
    }

    private static void AssertNames(string parameter, Action create)
    {
        var error = Assert.Throws<ArgumentException>(create);
        Assert.AreEqual(parameter, error.ParamName);
    }
}
