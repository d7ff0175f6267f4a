namespace Ml.Ood.Service;

/// <summary>How requests become head calls: gathered into batches, or one pooled engine per request.</summary>
public enum ScoringMode
{
    /// <summary>Concurrent requests are gathered for at most <see cref="ServiceOptions.MaxBatchDelayMs"/> into one Transform.</summary>
    Batching,

    /// <summary>Each request is scored row by row by a pooled PredictionEngine-style row mapper, as ML.NET users do.</summary>
    Engine,
}

/// <summary>The service's settings: section "Ood" of the configuration, or the command-line switches of <see cref="Switches"/>.</summary>
public sealed class ServiceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Ood";

    /// <summary>Short command-line switches for the settings.</summary>
    public static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--model"] = $"{Section}:{nameof(ModelPath)}",
        ["--gpu"] = $"{Section}:{nameof(GpuDeviceId)}",
        ["--mode"] = $"{Section}:{nameof(Mode)}",
        ["--max-delay-ms"] = $"{Section}:{nameof(MaxBatchDelayMs)}",
        ["--max-batch"] = $"{Section}:{nameof(MaxBatchSize)}",
        ["--batch-workers"] = $"{Section}:{nameof(BatchWorkers)}",
        ["--parallelism"] = $"{Section}:{nameof(Parallelism)}",
        ["--lone-by-engine"] = $"{Section}:{nameof(LoneRowsByEngine)}",
    };

    /// <summary>The saved model (ml.Model.Save's .zip); default: the quick start's.</summary>
    public string ModelPath { get; set; } = "mlood-quickstart/mnist-ood.zip";

    /// <summary>The CUDA device, or null for the CPU; without CUDA the service says so once and runs on the CPU.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Batching (default: the faster, measured by tests/Ml.Ood.Benchmarks/Serving) or one engine per request.</summary>
    public ScoringMode Mode { get; set; } = ScoringMode.Batching;

    /// <summary>
    /// How long the first request of a batch waits for others (milliseconds). Default 0, as Triton's dynamic batcher: a
    /// batch is what queued while the previous one was scored, so under load batches fill without waiting and a lone
    /// request is scored at once. Measured with serving-load.sh on the quick start's model (2 cores, one run each): 2 ms
    /// gave 3,974 req/s at 64 clients and 226 at 1 client (each request waited out the window); 0 ms 4,144 and 456.
    /// </summary>
    public double MaxBatchDelayMs { get; set; }

    /// <summary>
    /// How many batches are gathered and scored at once (default: a quarter of the processors, at least 1): a batch's
    /// image decoding runs row by row on one thread, so a machine with many cores scores several batches side by side,
    /// while the encoder (ml.Ood().ApplyOnnxEncoder) and the heads spread each batch over concurrent ONNX Runtime calls.
    /// </summary>
    public int BatchWorkers { get; set; } = Math.Max(1, Environment.ProcessorCount / 4);

    /// <summary>
    /// Whether a batch of one row (a lone request: light load) is scored by a row engine, as in Engine mode, instead of a
    /// cursor over a batch of one (default true). Both make the same ONNX Runtime calls on one row (the same bits); the
    /// engine skips the cursors' set-up and their spreading of work over threads. Measured on the quick start's model with
    /// wrk at 1 client (2 cores, 3 interleaved rounds, medians): 974 req/s and 1.27 ms of CPU per request, against 822 and
    /// 1.69 ms with a cursor (Engine mode: 988); at 8 clients alike within noise (3,184 vs 3,076); at 64 clients batches
    /// average 30 rows and the two were alike within noise.
    /// </summary>
    public bool LoneRowsByEngine { get; set; } = true;

    /// <summary>
    /// ONNX Runtime calls (or threads, for a KNN bank) per head call: <see cref="OodExecutionOptions.Parallelism"/>; null
    /// for every core. Measured on the quick start's model with 64 clients on 2 cores (tests/Ml.Ood.Benchmarks/serving-load.sh):
    /// batching is as fast or faster with every core, one engine per request faster with 1, as requests are concurrent already.
    /// </summary>
    public int? Parallelism { get; set; }

    /// <summary>The most rows in one head call (default 256, MlOod's block size).</summary>
    public int MaxBatchSize { get; set; } = OodExecutionOptions.DefaultBlockSize;

    /// <summary>The largest request body in bytes (default 8 MiB).</summary>
    public long MaxRequestBytes { get; set; } = 8 << 20;

    /// <summary>The most images or embeddings in one request (default 1,024).</summary>
    public int MaxItemsPerRequest { get; set; } = 1024;

    /// <summary>
    /// The input column to fill: needed when the saved input schema has several image or embedding columns; for an image
    /// model (whose saved schema has no image column: ML.NET cannot save one) the image column's name, default "Image".
    /// </summary>
    public string? InputColumn { get; set; }

    /// <summary>The width of the images an image model takes, when its saved schema cannot say (default 28, the quick start's).</summary>
    public int ImageWidth { get; set; } = 28;

    /// <summary>The height of the images an image model takes, when its saved schema cannot say (default 28).</summary>
    public int ImageHeight { get; set; } = 28;

    /// <summary>The vector of class scores whose largest entry is the predicted class when the model has no PredictedLabel.</summary>
    public string LogitsColumn { get; set; } = "logits";

    /// <summary>Throws with the setting's name when a value cannot work.</summary>
    public void Check()
    {
        if (MaxBatchDelayMs is < 0 or > 1000 || double.IsNaN(MaxBatchDelayMs))
        {
            throw new InvalidOperationException($"{Section}:{nameof(MaxBatchDelayMs)} is {MaxBatchDelayMs}; give 0 to 1000 milliseconds (--max-delay-ms).");
        }
        if (MaxBatchSize < 1 || BatchWorkers < 1 || Parallelism < 1 || MaxItemsPerRequest < 1 || MaxRequestBytes < 1 || ImageWidth < 1 || ImageHeight < 1)
        {
            throw new InvalidOperationException($"{Section}: {nameof(MaxBatchSize)} ({MaxBatchSize}), {nameof(BatchWorkers)} ({BatchWorkers}), {nameof(Parallelism)} ({Parallelism}), {nameof(MaxItemsPerRequest)} ({MaxItemsPerRequest}) {nameof(MaxRequestBytes)} ({MaxRequestBytes}), {nameof(ImageWidth)} ({ImageWidth}) and {nameof(ImageHeight)} ({ImageHeight}) must be at least 1.");
        }
    }
}
