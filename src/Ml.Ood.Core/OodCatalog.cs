using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Ml.Ood;

/// <summary>
/// The one entry point for MlOod: out-of-distribution heads, the trainers that fit them and the
/// evaluators that measure them. Obtain it with <see cref="MLContextOodExtensions.Ood(MLContext)"/>.
/// </summary>
/// <remarks>
/// The catalog hangs off the <see cref="MLContext"/> rather than <c>ml.Transforms</c> because ML.NET keeps
/// a catalog's environment internal, and MlOod's estimators need the context's log, seed and
/// <see cref="MLContext.GpuDeviceId"/> / <see cref="MLContext.FallbackToCpu"/> defaults. The MlOod packages
/// add their methods to this type as extension methods, so that each package stays independent.
/// </remarks>
public sealed class OodCatalog
{
    internal OodCatalog(MLContext context, OodExecutionOptions? execution)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (execution?.BlockSize is int block && block < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(execution), block, OodErrors.Format(OodErrors.BlockSizeTooSmall, block));
        }

        if (execution?.Parallelism is int parallelism && parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(execution), parallelism, OodErrors.Format(OodErrors.ParallelismTooSmall, parallelism));
        }

        Context = context;
        Environment = context;
        Execution = execution ?? new OodExecutionOptions();
    }

    /// <summary>The context this catalog was obtained from.</summary>
    public MLContext Context { get; }

    /// <summary>The context as ML.NET's host environment, for logging channels and exceptions.</summary>
    public IHostEnvironment Environment { get; }

    /// <summary>The execution options every head of this catalog starts from (a head's own options override them).</summary>
    public OodExecutionOptions Execution { get; }
}

/// <summary>Hangs the MlOod catalog off an <see cref="MLContext"/>.</summary>
public static class MLContextOodExtensions
{
    /// <summary>The MlOod catalog: out-of-distribution heads, trainers and evaluators.</summary>
    /// <param name="context">The ML.NET context whose log, seed and GPU settings MlOod uses.</param>
    public static OodCatalog Ood(this MLContext context) => new(context, null);

    /// <summary>The MlOod catalog, with execution options for every head it makes.</summary>
    /// <param name="context">The ML.NET context whose log and seed MlOod uses.</param>
    /// <param name="execution">Device, CPU fallback and block size for every head; what it leaves null comes from the context.</param>
    public static OodCatalog Ood(this MLContext context, OodExecutionOptions execution) => new(context, execution);
}
