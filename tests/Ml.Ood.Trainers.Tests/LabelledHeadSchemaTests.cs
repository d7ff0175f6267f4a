using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// Heads fitted per class check their label column in GetOutputSchema as in Fit (Mahalanobis and RMDS checked it only at
/// Fit, where a pipeline built from schemas alone learnt of a missing label late).
/// </summary>
[TestClass]
public sealed class LabelledHeadSchemaTests
{
    [TestMethod]
    [DataRow("mahalanobis")]
    [DataRow("rmds")]
    [DataRow("temperature")]
    public void AMissingLabelColumnFailsInGetOutputSchemaNamingIt(string head)
    {
        var ml = new MLContext(seed: 1);
        var data = EmbeddingData.Create(ml, [[1f, 2f, 3f], [2f, 1f, 0f]], [0, 1]);
        IEstimator<OodHeadTransformer> estimator = head switch
        {
            "mahalanobis" => ml.Ood().Mahalanobis("Score", "Embedding", "Missing"),
            "rmds" => ml.Ood().Rmds("Score", "Embedding", "Missing"),
            _ => ml.Ood().TemperatureScaling("Score", "Embedding", "Missing"),
        };

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Shapes.Of(data.Schema)));
        StringAssert.Contains(error.Message, "'Missing'");
    }
}
