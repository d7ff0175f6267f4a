using Microsoft.ML;

namespace Ml.Ood.QuickStart;

/// <summary>
/// Test-time detection: MNIST test images and Fashion-MNIST mixed in a seeded random order and scored as one stream by
/// KNN (each image alone) and by OODD (Yang et al., CVPR 2025), which also keeps a dictionary of the most OOD-like images
/// seen so far, so an image's score depends on the images before it. OODD takes the CIFAR-10 settings of the paper's
/// code (K1 = K2 = 5, q = 128, B = 512): MNIST too has ten classes.
/// </summary>
public static class TestTimeStream
{
    /// <summary>The stream's result: KNN's and OODD's metrics and the stream's length.</summary>
    public sealed record Result(OodDetectionMetrics Knn, OodDetectionMetrics Oodd, int Rows, int OodRows);

    public static Result Run(MLContext ml, MnistData data, JobSizes sizes)
    {
        var model = OodJob.Encoder(ml)
            .AppendCacheCheckpoint(ml)
            .Append(ml.Ood().Knn("StreamKnn", "embedding", k: 50))
            .Append(ml.Ood().Oodd(new OoddOptions
            {
                OutputColumnName = "StreamOodd",
                FeatureColumnName = "embedding",
                LabelColumnName = "Label",
                LogitsColumnName = "logits",
                K1 = 5,
                K2 = 5,
                Capacity = 128,
                UpdateBatch = 512,
            }))
            .Fit(OodJob.BankImages(ml, data, sizes));

        // The same MNIST and Fashion-MNIST test images as the table above, in one seeded random order.
        var mnist = data.MnistTest(sizes.Validation + sizes.Test, sizes.Seed + 1).Skip(sizes.Validation).Select(i => (Image: i, Set: 0f));
        var fashion = data.FashionTest(sizes.Test, sizes.Seed + 2).Select(i => (Image: i, Set: 1f));
        var stream = mnist.Concat(fashion).ToArray();
        new Random(sizes.Seed + 6).Shuffle(stream);
        var rows = ImageRows.Load(ml, stream.Select(r => ((IReadOnlyList<GreyImage>)[r.Image], r.Set)).ToArray());

        var scored = ml.Data.Cache(model.Transform(rows));
        return new Result(
            ml.Ood().Evaluate(scored, isOodColumnName: "IsOodTruth", scoreColumnName: "StreamKnn"),
            ml.Ood().Evaluate(scored, isOodColumnName: "IsOodTruth", scoreColumnName: "StreamOodd"),
            stream.Length,
            stream.Count(r => r.Set != 0));
    }
}
