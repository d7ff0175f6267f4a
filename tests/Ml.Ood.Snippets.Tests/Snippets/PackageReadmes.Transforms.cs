#region transforms-readme
using Microsoft.ML;
using Ml.Ood;

#endregion
namespace ReadmeSnippets;

/// <summary>src/Ml.Ood.Transforms/README.md, "How to use".</summary>
internal static class TransformsReadme
{
    public static void Run(IDataView data)
    {
        #region transforms-readme
        var ml = new MLContext();
        var pipeline = ml.Transforms.ApplyOnnxModel("Logits", "Pixels", "classifier.onnx")
            .Append(ml.Ood().Energy("EnergyScore", "Logits", temperature: 1f))
            .Append(ml.Ood().MaxSoftmaxProbability("MspScore", "Logits"));
        var model = pipeline.Fit(data);
        ml.Model.Save(model, data.Schema, "model.zip");
        #endregion
    }
}
