using Microsoft.ML;

namespace Ml.Ood.Transforms;

/// <summary>Where and how a head's ONNX graph runs.</summary>
/// <param name="GpuDeviceId">The CUDA device, or <see langword="null"/> for the CPU.</param>
/// <param name="FallbackToCpu">Whether to run on the CPU when the GPU cannot be used, rather than throw.</param>
/// <param name="BlockSize">Rows per ONNX Runtime call in the batched path.</param>
internal sealed record OodHeadExecution(int? GpuDeviceId, bool FallbackToCpu, int BlockSize)
{
    public const int DefaultBlockSize = 256;

    /// <summary>Fills what the caller left out from the context, as ML.NET's ApplyOnnxModel does.</summary>
    public static OodHeadExecution Resolve(MLContext context, int? gpuDeviceId, bool? fallbackToCpu, int? blockSize)
    {
        int block = blockSize ?? DefaultBlockSize;
        if (block < 1)
            throw new ArgumentOutOfRangeException(nameof(blockSize), block, "The block size must be at least 1 row.");
        return new OodHeadExecution(gpuDeviceId ?? context.GpuDeviceId, fallbackToCpu ?? context.FallbackToCpu, block);
    }
}
