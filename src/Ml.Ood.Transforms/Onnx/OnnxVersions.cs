namespace Ml.Ood.Transforms.Onnx;

/// <summary>The ONNX versions MlOod writes, kept in one place.</summary>
internal static class OnnxVersions
{
    /// <summary>
    /// Opset 26 with IR version 13: the newest pair ONNX Runtime 1.31 loads (it refuses opset 27 as
    /// "under development" and IR 14 as unsupported, measured 2026-11-23). ML.NET's OnnxTransformer runs
    /// graphs through the same runtime, so it accepts the same pair; every head test loads both ways.
    /// </summary>
    public const long Opset = 26;

    /// <inheritdoc cref="Opset"/>
    public const long IrVersion = 13;
}
