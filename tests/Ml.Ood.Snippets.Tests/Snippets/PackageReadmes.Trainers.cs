#region trainers-readme
using Microsoft.ML;
using Ml.Ood;
#endregion

namespace ReadmeSnippets;

/// <summary>src/Ml.Ood.Trainers/README.md, "How to use".</summary>
internal static class TrainersReadme
{
    public static void Run(MLContext ml, IDataView idTrain)
    {
        #region trainers-readme
        var pipeline = ml.Transforms.ApplyOnnxModel("Embedding", "Pixels", "encoder.onnx")
            .Append(ml.Ood().Knn("KnnScore", "Embedding", k: 50))
            .Append(ml.Ood().Mahalanobis("MahalanobisScore", "Embedding", labelColumnName: "Label"))
            .Append(ml.Ood().Threshold("IsOod", "KnnScore", idTruePositiveRate: 0.95));
        var model = pipeline.Fit(idTrain);
        float t = model.LastTransformer.ThresholdSettings.Threshold;   // typed; also after ml.Ood().Load
        // On a mixed validation view, calibrate on its ID rows only: isOodColumnName: "IsOodTruth" (true = OOD) skips the rest.
        // A NaN or infinite score is always flagged OOD (fail closed).
        #endregion
        _ = t;
    }
}
