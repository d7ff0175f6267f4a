#region readme-pipeline
using Microsoft.ML;
using Ml.Ood;
using static Microsoft.ML.Transforms.Image.ImagePixelExtractingEstimator;

#endregion
namespace ReadmeSnippets;

/// <summary>README.md, the pipeline at the top; the parameters are what the snippet leaves to the reader.</summary>
internal static class ReadmePipeline
{
    public static void Run(string imageFolder, int? gpu, IDataView idTrain, IDataView idValidation, IDataView test)
    {
        #region readme-pipeline
        var ml = new MLContext(seed: 0);
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder, "Path")
            .Append(ml.Transforms.ResizeImages("Image", 28, 28))
            .Append(ml.Transforms.ExtractPixels("input", "Image", colorsToExtract: ColorBits.Red))
            .Append(ml.Transforms.ApplyOnnxModel(["embedding", "logits"], ["input"], "mnist_lenet.onnx", gpuDeviceId: gpu))
            .AppendCacheCheckpoint(ml)
            .Append(ml.Ood().Energy("EnergyScore", "logits"))                  // -T * logsumexp(z / T)
            .Append(ml.Ood().MaxSoftmaxProbability("MspScore", "logits"))      // -max softmax(z)
            .Append(ml.Ood().Knn("KnnScore", "embedding", k: 50))              // fits a bank of ID embeddings
            .Append(ml.Ood().Mahalanobis("MahalanobisScore", "embedding", "Label"));
        var scorer = pipeline.Fit(idTrain);
        var decision = ml.Ood().Threshold("IsOod", "KnnScore", idTruePositiveRate: 0.95)
            .Fit(scorer.Transform(idValidation));                               // calibrated on held-out ID images
        var model = scorer.Append(decision);
        ml.Model.Save(model, idTrain.Schema, "model.zip");                      // a standard ML.NET zip
        var served = ml.Ood().Load("model.zip", out _);                         // checked, batched, safe to share between engines
        var plain = ml.Model.Load("model.zip", out _);                          // also loads, in any process, no registration
        var metrics = ml.Ood().Evaluate(model.Transform(test), isOodColumnName: "IsOodTruth", scoreColumnName: "KnnScore");
        Console.WriteLine(metrics);                                            // AUROC, AUPR-In/Out, FPR@95TPR, ...
        #endregion
    }
}
