using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML;

namespace Ml.Ood.Service.Tests;

/// <summary>
/// The service refuses at start a model it would serve without saying "I don't know": one with no MlOod head (it
/// answered with a class and no score), and one with a test-time head (it answered without that head's score: the
/// service serves fixed heads only).
/// </summary>
[TestClass]
public sealed class ServableModelTests
{
    [TestMethod]
    public void AModelWithATestTimeHeadIsRefusedAtStart()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TestModels.Embeddings(64, 54).Select(e => new EmbeddingRow { Features = e }));
        string path = Path.Combine(TestModels.Folder, "test-time-model.zip");
        using (var model = ml.Ood().Oodd(new OoddOptions { FeatureColumnName = "Features", Alpha = 1, K1 = 3, K2 = 3, Capacity = 16, UpdateBatch = 4 }).Fit(train))
        {
            ml.Model.Save(model, train.Schema, path);
        }

        var error = Assert.ThrowsExactly<NotSupportedException>(() => Start(path));

        StringAssert.Contains(error.Message, "oodd head writing 'OoddScore'");
        StringAssert.Contains(error.Message, "CreateStreamingScorer");
    }

    [TestMethod]
    public void AModelWithNoHeadIsRefusedAtStart()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TestModels.Embeddings(60, 56).Select((e, i) => new EmbeddingRow { Features = e, Label = i % 3 }));
        var classifier = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaNonCalibrated("Label", "Features"))
            .Fit(train);
        string path = Path.Combine(TestModels.Folder, "no-head-model.zip");
        ml.Model.Save(classifier, train.Schema, path);

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Start(path));

        StringAssert.Contains(error.Message, "has no MlOod head");
    }

    private static void Start(string path)
    {
        using var host = new ModelHost(Options.Create(new ServiceOptions { ModelPath = path }), NullLogger<ModelHost>.Instance);
    }
}
