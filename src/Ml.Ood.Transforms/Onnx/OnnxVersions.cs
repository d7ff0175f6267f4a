namespace Ml.Ood.Transforms.Onnx;

/// <summary>The ONNX versions MlOod writes, kept in one place.</summary>
internal static class OnnxVersions
{
    /// <summary>
    /// Opset 21 with IR version 10: the newest pair that ONNX Runtime 1.31 (which ML.NET's OnnxTransformer
    /// also runs through) loads; the test <c>OnnxGraphBuilderTests</c> checks the pair loads.
    /// </summary>
    public const long Opset = 21;

    /// <inheritdoc cref="Opset"/>
    public const long IrVersion = 10;
}
