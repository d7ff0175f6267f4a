using Ml.Ood.Transforms;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Trainers;

/// <summary>
/// The Mahalanobis head (Lee et al., NeurIPS 2018, without input pre-processing; OpenOOD's MDS):
/// min_c (x - mu_c)^T P (x - mu_c), computed as min_c ||x W - mu_c W||^2 with P = W W^T.
/// </summary>
internal static class MahalanobisHeadGraph
{
    public const string Kind = "mahalanobis";

    public static OodHeadModel Build(OodHeadInfo info, ClassGaussians gaussians)
    {
        int dimensions = info.InputSize, rank = gaussians.Rank, classes = gaussians.Classes;
        var whitenedMeans = WhitenedMeans(gaussians, dimensions);

        var g = OodHeadModel.Start(info);
        // Whitening first, then differences: no x^T P x - 2 x^T P mu + mu^T P mu expansion to cancel in float.
        string whitened = g.AddNode("MatMul", [info.InputColumnName, g.AddInitializer("whitening", gaussians.Whitening, dimensions, rank)]);
        string perClass = g.AddNode("Unsqueeze", [whitened, g.AddInitializer("axis_1", [1L], 1)]);
        string differences = g.AddNode("Sub", [perClass, g.AddInitializer("whitened_means", whitenedMeans, classes, rank)]);
        string distances = g.AddNode("ReduceSumSquare", [differences, g.AddInitializer("axis_2", [2L], 1)], attributes: OnnxAttributes.Int("keepdims", 0));
        g.AddNode("ReduceMin", [distances, g.AddInitializer("class_axis", [1L], 1)], OodHeadModel.ScoreOutputName, OnnxAttributes.Int("keepdims", 0));
        return OodHeadModel.Finish(g, info);
    }

    /// <summary>mu_c W for every class, [classes, rank], accumulated in double.</summary>
    private static float[] WhitenedMeans(ClassGaussians gaussians, int dimensions)
    {
        int rank = gaussians.Rank;
        var result = new float[gaussians.Classes * rank];
        for (int c = 0; c < gaussians.Classes; c++)
        {
            for (int j = 0; j < rank; j++)
            {
                double sum = 0;
                for (int i = 0; i < dimensions; i++)
                    sum += (double)gaussians.Means[c * dimensions + i] * gaussians.Whitening[i * rank + j];
                result[c * rank + j] = (float)sum;
            }
        }
        return result;
    }
}
