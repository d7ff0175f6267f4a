using Microsoft.ML;
using Microsoft.ML.Transforms.Image;

namespace ReadmeSnippets;

/// <summary>samples/encoder/README.md: the LeNet encoder in an ML.NET image pipeline.</summary>
internal static class EncoderReadme
{
    public static IEstimator<ITransformer> Pipeline(MLContext ml, string imageFolder)
    {
        #region encoder-readme
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder, "Path")   // 28 x 28 greyscale PNGs
            .Append(ml.Transforms.ResizeImages("Image", 28, 28))                 // fixes the column's size; a 28 x 28 image passes through untouched
            .Append(ml.Transforms.ExtractPixels("input", "Image",
                colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red))   // 784 floats, 0..255
            .Append(ml.Transforms.ApplyOnnxModel(
                outputColumnNames: new[] { "embedding", "logits" },
                inputColumnNames: new[] { "input" },
                modelFile: "samples/encoder/mnist_lenet.onnx"));
        #endregion
        return pipeline;
    }
}
