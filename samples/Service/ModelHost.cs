using System.Reflection;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Samples;

namespace Ml.Ood.Service;

/// <summary>
/// The served model, loaded once at start with <c>ml.Ood().Load</c> (checked, heads batched, safe to share), and what
/// requests fill and responses carry.
/// </summary>
public sealed class ModelHost : IDisposable
{
    public ModelHost(IOptions<ServiceOptions> options, ILogger<ModelHost> log)
    {
        Options = options.Value;
        Options.Check();
        string path = Path.GetFullPath(Options.ModelPath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"No model at {path}. Save the quick start's with: dotnet run -c Release --project samples/QuickStart -- --save-model {Options.ModelPath} (or pass --model PATH).", path);
        }

        string? deviceLine = null;
        int? device = GpuDevice.Resolve(Options.GpuDeviceId, line => deviceLine = line);
        if (deviceLine is not null)
        {
            // A GPU asked for and not found is a warning: the service runs, slower than its operator expects.
            log.Log(device is null ? LogLevel.Warning : LogLevel.Information, "{Device}", deviceLine);
        }
        Device = device is int d ? $"cuda:{d}" : "cpu";
        Context = new MLContext(seed: 0) { GpuDeviceId = device, FallbackToCpu = true };
        Model = Context.Ood().Load(path, out var inputSchema, new OodExecutionOptions { GpuDeviceId = device, FallbackToCpu = true, BlockSize = Options.MaxBatchSize, Parallelism = Options.Parallelism });
        try
        {
            Input = InputLayout.For(inputSchema, Model, Options);
            Heads = FindHeads(Model).ToList();
            CheckServable(path, Model, Heads);
            Encoders = Find<OodOnnxEncoderTransformer>(Model).ToList();
            Output = new OutputLayout(Heads, Model.GetOutputSchema(Input.Schema), Options.LogitsColumn);
        }
        catch
        {
            (Model as IDisposable)?.Dispose();
            throw;
        }
        log.LogInformation("Serving {Path}: {Heads} heads, input '{Input}', {Mode} mode, on {Device}.", path, Heads.Count, Input.Column.Name, Options.Mode, Device);
    }

    public ServiceOptions Options { get; }

    public MLContext Context { get; }

    /// <summary>What <c>ml.Ood().Load</c> returned: an <see cref="OodLoadedModel"/>, or one head.</summary>
    public ITransformer Model { get; }

    public InputLayout Input { get; }

    public OutputLayout Output { get; }

    public IReadOnlyList<OodHeadTransformer> Heads { get; }

    /// <summary>The model's batched ONNX encoders (ml.Ood().ApplyOnnxEncoder): in batching mode a batch is encoded in blocks, not row by row.</summary>
    public IReadOnlyList<OodOnnxEncoderTransformer> Encoders { get; }

    /// <summary>"cpu" or "cuda:N".</summary>
    public string Device { get; }

    /// <summary>GET /model: the input, every head with its settings (a threshold's fitted value), the mode and the versions.</summary>
    public object Describe() => new
    {
        model = Path.GetFileName(Options.ModelPath),
        input = Input.Describe(),
        heads = Heads.Select(h => new
        {
            kind = h.Head.Kind,
            input = h.Head.InputColumnName,
            output = h.Head.OutputColumnName,
            outputKind = h.Head.OutputKind.ToString(),
            threshold = h.Head.Kind == "threshold" ? h.ThresholdSettings.Threshold : (float?)null,
            parameters = h.Head.Parameters,
        }),
        encoders = Encoders.Select(e => new { inputs = e.InputColumnNames, outputs = e.OutputColumnNames, blockSize = e.BlockSize }),
        scores = Output.Scores,
        decisions = Output.Decisions,
        predictedClass = Output.PredictedLabel ?? (Output.Logits is string l ? $"argmax({l})" : null),
        mode = Options.Mode.ToString(),
        maxBatchDelayMs = Options.MaxBatchDelayMs,
        maxBatchSize = Options.MaxBatchSize,
        batchWorkers = Options.BatchWorkers,
        loneRowsByEngine = Options.LoneRowsByEngine,
        parallelism = Options.Parallelism ?? Environment.ProcessorCount,
        device = Device,
        versions = new
        {
            mlood = Version(typeof(OodCatalog).Assembly),
            mlnet = Version(typeof(MLContext).Assembly),
            onnxRuntime = OrtEnv.Instance().GetVersionString(),
            onnxRuntimeNative = GpuDevice.IsGpuBuild ? "Microsoft.ML.OnnxRuntime.Gpu" : "Microsoft.ML.OnnxRuntime",
            dotnet = Environment.Version.ToString(),
        },
    };

    public void Dispose() => (Model as IDisposable)?.Dispose();

    /// <summary>
    /// A model the service would answer for without saying "I don't know" is refused at start: one with no MlOod head,
    /// and one with a test-time head (its scores depend on the rows scored before, so it needs one ordered stream).
    /// </summary>
    private static void CheckServable(string path, ITransformer model, IReadOnlyList<OodHeadTransformer> heads)
    {
        if (Find<OodTestTimeTransformer>(model).FirstOrDefault() is { } testTime)
        {
            throw new NotSupportedException(
                $"{path}: the {testTime.Head.Kind} head writing '{testTime.Head.OutputColumnName}' adapts while it scores (a row's score depends on the rows before it), and the service scores concurrent requests in no set order. Score one ordered stream with ml.Ood().CreateStreamingScorer(model) instead.");
        }

        if (heads.Count == 0)
        {
            throw new InvalidOperationException(
                $"{path} has no MlOod head, so the service would answer without an OOD score or decision. Append one (ml.Ood().Energy, Knn, Threshold, ...), fit and save the model again.");
        }
    }

    private static IEnumerable<OodHeadTransformer> FindHeads(ITransformer model) => Find<OodHeadTransformer>(model);

    private static IEnumerable<T> Find<T>(ITransformer model) where T : ITransformer => model switch
    {
        T found => [found],
        OodLoadedModel loaded => Find<T>(loaded.Model),
        IEnumerable<ITransformer> chain => chain.SelectMany(Find<T>),
        _ => [],
    };

    private static string Version(Assembly assembly)
        => assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
