using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// Every head of <see cref="HeadCatalogue"/> through <see cref="HeadConformance"/> on a trained classifier's columns (its
/// Score column as logits, the features, the label; the threshold on the KNN score), so that a head added to the
/// catalogue is checked here as well as in the separate-process and robustness tests.
/// </summary>
[TestClass]
public sealed class CatalogueConformanceTests
{
    public static IEnumerable<object[]> Heads => HeadCatalogue.All.Select(h => new object[] { h.Name });

    [TestMethod]
    [DynamicData(nameof(Heads))]
    public void EveryCataloguedHeadConforms(string name)
    {
        var head = HeadCatalogue.All.Single(h => h.Name == name);
        var ml = new MLContext(seed: 1);
        var train = ClassifierPipeline.Load(ml, ClassifierPipeline.Sample(300, seed: 1));
        var test = ClassifierPipeline.Load(ml, ClassifierPipeline.Sample(60, seed: 2).Concat(ClassifierPipeline.Sample(45, seed: 3, shift: 6)));
        // The columns a head reads: the classifier's, and the scores of the heads that read no score.
        using var upstream = (IDisposable)ClassifierPipeline.Classifier(ml).AppendHeads(ml, ClassifierPipeline.Columns, readsAScore: false).Fit(train);
        var model = (ITransformer)upstream;
        IDataView Columns(IDataView data)
        {
            var scored = model.Transform(data);
            return scored.Schema.GetColumnOrNull(head.Column) is null ? scored : ml.Transforms.DropColumns(head.Column).Fit(scored).Transform(scored);
        }

        HeadConformance.Check(ml, head.Name, o => head.Build(ml, ClassifierPipeline.Columns, o), Columns(train), Columns(test), head.Column, head.Settings);
    }
}
