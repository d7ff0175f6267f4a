using Microsoft.ML;

namespace Ml.Ood.Transforms.Execution;

/// <summary>Where and how a head's ONNX graph runs, with every choice made.</summary>
/// <param name="GpuDeviceId">The CUDA device, or <see langword="null"/> for the CPU.</param>
/// <param name="FallbackToCpu">Whether to run on the CPU when the GPU cannot be used, rather than throw.</param>
/// <param name="BlockSize">Rows per ONNX Runtime call in the batched path.</param>
/// <param name="Parallelism">ONNX Runtime calls at once on the CPU (<see cref="OodExecutionOptions.Parallelism"/>).</param>
internal sealed record OodHeadExecution(int? GpuDeviceId, bool FallbackToCpu, int BlockSize, int Parallelism)
{
    /// <summary>The CPU, with the default block: what checking a model needs.</summary>
    public static OodHeadExecution Cpu { get; } = new(null, true, OodExecutionOptions.DefaultBlockSize, Environment.ProcessorCount);

    /// <summary>
    /// A head's options, then the catalog's, then the context's (as ML.NET's ApplyOnnxModel takes the context's GPU
    /// settings), then the defaults.
    /// </summary>
    public static OodHeadExecution Resolve(OodCatalog catalog, OodExecutionOptions? head)
    {
        var options = (head ?? new OodExecutionOptions()).Or(catalog.Execution);
        return Resolve(catalog.Context, options);
    }

    public static OodHeadExecution Resolve(MLContext context, OodExecutionOptions options)
    {
        int block = options.BlockSize ?? OodExecutionOptions.DefaultBlockSize;
        if (block < 1)
        {
            throw new ArgumentOutOfRangeException("execution", block, OodErrors.Format(OodErrors.BlockSizeTooSmall, block));
        }

        int parallelism = options.Parallelism ?? Environment.ProcessorCount;
        if (parallelism < 1)
        {
            throw new ArgumentOutOfRangeException("execution", parallelism, OodErrors.Format(OodErrors.ParallelismTooSmall, parallelism));
        }

        return new OodHeadExecution(options.GpuDeviceId ?? context.GpuDeviceId, options.FallbackToCpu ?? context.FallbackToCpu, block, parallelism);
    }
}
