using System.Text.Json;
using Microsoft.ML;
using Ml.Ood.Tests;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// A KNN head whose bank took the large form (external data, issue 15 item 1) in a process of its own: saved with
/// ml.Model.Save, it scores knn.json's queries bit for bit as here after ml.Ood().Load there (Ml.Ood.LoadCheck
/// --mlood-load), within 1e-5 of the reference, and a plain ml.Model.Load there refuses, naming ml.Ood().Load. The size
/// from which a bank is external is lowered to 1 KB in this process only; the loading process reads the form from the .zip.
/// </summary>
[TestClass]
public sealed class LargeBankSeparateProcessTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ALargeKnnBankScoresTheSameInAnotherProcessAndPlainLoadRefuses()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("knn.json")));
        var root = json.RootElement;
        float[][] Matrix(string name) => [.. root.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray())];
        var c = root.GetProperty("cases").EnumerateArray().First(x => x.GetProperty("k").GetInt32() == 5);
        float[] expected = [.. c.GetProperty("score").EnumerateArray().Select(v => (float)v.GetDouble())];

        var ml = new MLContext(seed: 1);
        OodHeadTransformer model;
        using (ExternalBankWriter.OverrideThreshold(1_000))
        {
            model = ml.Ood().Knn("KnnScore", "Features", k: 5).Fit(TestTimeInAnotherProcess.View(ml, Matrix("bank")));
        }

        using (model)
        {
            Assert.IsTrue(model.State.Model.Source.External!.IsLarge, "the bank took the large form");
            TestTimeInAnotherProcess.AssertScoresAlikeAndPlainLoadRefuses(TestContext, ml, model, Matrix("queries"), "KnnScore", expected, "knn.json");
        }
    }
}
