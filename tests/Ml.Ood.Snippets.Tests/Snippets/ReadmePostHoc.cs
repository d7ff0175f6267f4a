using Microsoft.ML;
using Ml.Ood;

namespace ReadmeSnippets;

/// <summary>README.md, "Choosing a head": the heads on penultimate features and the classifier's last layer.</summary>
internal static class ReadmePostHoc
{
    public static IEstimator<ITransformer> Pipeline(MLContext ml, IEstimator<ITransformer> encoder, IDataView idValidation)
    {
        #region readme-post-hoc
        var layer = OodClassifierLayer.FromOnnx("mnist_lenet.onnx", "logits");  // W, b of the Gemm that writes "logits"
        var pipeline = encoder                                                  // writes "embedding" (what W reads) and "logits"
            .Append(ml.Ood().Scale("ScaleScore", "embedding", layer))          // stateless: rescale h, energy of W h + b
            .Append(ml.Ood().ReAct("ReActScore", "embedding", layer))          // fits the clip value (90th percentile)
            .Append(ml.Ood().Vim("VimScore", "embedding", layer))              // fits the residual subspace and alpha
            .Append(ml.Ood().Rmds("RmdsScore", "embedding", "Label"))          // class and background Gaussians
            .Append(ml.Ood().GeneralizedEntropy("GenScore", "logits"));        // logits only
        var temperature = ml.Ood().TemperatureScaling("TsScore", "logits", labelColumnName: "Label")
            .Fit(idValidation);                                                 // T fitted on held-out labelled rows
        Console.WriteLine(temperature.GetSettings<TemperatureScalingSettings>()); // T and the validation NLL
        #endregion
        return pipeline;
    }
}
