namespace Ml.Ood;

/// <summary>
/// Where and how MlOod's heads run their ONNX graphs: one object for every head, instead of the same three arguments on
/// each. Give it to the catalog (<c>ml.Ood(execution)</c>) for a whole pipeline, or to one head; what a head's options
/// leave <see langword="null"/> comes from the catalog's, and what those leave from the <c>MLContext</c>.
/// </summary>
/// <example>
/// <code language="csharp"><![CDATA[
/// var ood = ml.Ood(new OodExecutionOptions { GpuDeviceId = 0, FallbackToCpu = true });
/// var pipeline = ood.Energy("EnergyScore", "Logits")
///     .Append(ood.Knn("KnnScore", "Embedding", k: 50, execution: new() { BlockSize = 1024 }));
/// ]]></code>
/// </example>
public sealed record OodExecutionOptions
{
    /// <summary>The rows per ONNX Runtime call when nothing says otherwise.</summary>
    public const int DefaultBlockSize = 256;

    /// <summary>
    /// The CUDA device to run on; null for the catalog's, then the <c>MLContext</c>'s <c>GpuDeviceId</c> (null: the CPU).
    /// Running on a GPU needs the application to reference Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime.
    /// </summary>
    public int? GpuDeviceId { get; init; }

    /// <summary>
    /// Whether to run on the CPU when the GPU cannot be used, rather than throw; null for the catalog's, then the
    /// <c>MLContext</c>'s. A head that falls back says so once, as a warning on the <c>MLContext</c>'s log.
    /// </summary>
    public bool? FallbackToCpu { get; init; }

    /// <summary>
    /// Rows scored per ONNX Runtime call by a head's <c>Transform</c> (at least 1; null for the catalog's, then
    /// <see cref="DefaultBlockSize"/>). It sets speed and memory only, never a score.
    /// </summary>
    public int? BlockSize { get; init; }

    /// <summary>
    /// How many ONNX Runtime calls a head runs at once on the CPU, each on one thread over its own block of rows (at
    /// least 1; null for the catalog's, then <see cref="Environment.ProcessorCount"/>). A head whose weights are large (a
    /// KNN or NNGuide bank) makes one call at a time on this many threads instead. Ignored on the GPU. It sets speed
    /// only, never a score: a row scores bit for bit alike at any setting. Set 1 in a service that already scores
    /// requests in parallel.
    /// </summary>
    public int? Parallelism { get; init; }

    /// <summary>These options with what they leave null taken from <paramref name="fallback"/>.</summary>
    /// <param name="fallback">The options that apply where these say nothing, or null.</param>
    public OodExecutionOptions Or(OodExecutionOptions? fallback) => fallback is null ? this : new OodExecutionOptions
    {
        GpuDeviceId = GpuDeviceId ?? fallback.GpuDeviceId,
        FallbackToCpu = FallbackToCpu ?? fallback.FallbackToCpu,
        BlockSize = BlockSize ?? fallback.BlockSize,
        Parallelism = Parallelism ?? fallback.Parallelism,
    };
}
