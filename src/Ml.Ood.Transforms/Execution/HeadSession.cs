using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// One ONNX Runtime session per head transformer, run once per block of rows. Inputs and outputs are
/// wrapped around caller-owned arrays, so a block costs no copies and no per-row allocation. A large head is
/// loaded by path with its state in an external data file, which ONNX Runtime maps rather than copies.
/// </summary>
internal sealed class HeadSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly ExternalDataFiles? _ownedFiles;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _inputSize;
    private readonly ParallelPlan _plan;
    private readonly RunOptions _runOptions = new();

    public HeadSession(OodHeadModel model, OodHeadExecution execution)
    {
        var source = model.Source;
        if (source.External is null && source.Length >= ExternalDataFiles.MinModelBytes)
        {
            // A large head just fitted: its bytes stay with the model for saving, the session maps a copy on disk.
            using var bytes = new MemoryStream(source.ToArray(), writable: false);
            _ownedFiles = ExternalDataFiles.Create(bytes, bytes.Length);
        }
        try
        {
            var files = source.External ?? _ownedFiles;
            var plan = ParallelPlan.For(model.Info, execution);
            if (files is null)
            {
                byte[] bytes = source.ToArray();
                (_session, bool onGpu, CpuFallbackReason) = CreateSession(options => new InferenceSession(bytes, options), execution, prepack: true, plan.ThreadsPerRun);
                _plan = onGpu ? plan.OnGpu(execution) : plan;
            }
            else
            {
                (_session, bool onGpu, CpuFallbackReason) = CreateSession(options => new InferenceSession(files.ModelPath(), options), execution, prepack: false, plan.ThreadsPerRun);
                _plan = onGpu ? plan.OnGpu(execution) : plan;
                files.ReleasePaths();
            }
        }
        catch
        {
            _ownedFiles?.Dispose();
            throw;
        }
        try
        {
            CheckSignature(_session, model.Info);
        }
        catch
        {
            _session.Dispose();
            _ownedFiles?.Dispose();
            throw;
        }
        if (_ownedFiles is { HasPaths: false })
        {
            // Unlinked and mapped: the handle is not needed to read the model back (the model has its bytes).
            _ownedFiles.Dispose();
            _ownedFiles = null;
        }
        _inputNames = [model.Info.InputColumnName];
        _outputNames = [model.GraphOutputName];
        _inputSize = model.Info.InputSize;
    }

    /// <summary>Why a GPU was asked for and the CPU runs instead (ONNX Runtime's message); null when not so.</summary>
    public string? CpuFallbackReason { get; }

    /// <summary>
    /// Rows a cursor reads before it scores them: for a small head, enough for every concurrent call to get a block of
    /// its own.
    /// </summary>
    public int RowsPerFill => _plan.RowsPerFill;

    /// <summary>
    /// Calls this session runs at once, each on one thread, when a block has more rows than one call takes; 1 for a large
    /// head (one call at a time on every thread) and on a GPU.
    /// </summary>
    public int ConcurrentRuns => _plan.ConcurrentRuns;

    /// <summary>The most rows one call scores.</summary>
    public int RowsPerRun => _plan.RowsPerRun;

    /// <summary>
    /// The graph must read a [batch, InputSize] float tensor and write a [batch] tensor of the head's output type, or the
    /// batched buffers would be read and written out of shape.
    /// </summary>
    private static void CheckSignature(InferenceSession session, OodHeadInfo info)
    {
        string output = OodHeadModel.OutputNameFor(info.OutputKind);
        var outputType = info.OutputKind == OodHeadOutputKind.Score ? typeof(float) : typeof(bool);
        bool inputOk = session.InputMetadata.Count == 1 && session.InputMetadata.TryGetValue(info.InputColumnName, out var input)
            && input.ElementType == typeof(float) && input.Dimensions is [_, var width] && width == info.InputSize;
        bool outputOk = session.OutputMetadata.Count == 1 && session.OutputMetadata.TryGetValue(output, out var result)
            && result.ElementType == outputType && result.Dimensions.Length == 1;
        if (!inputOk || !outputOk)
        {
            throw new InvalidDataException(OodErrors.Format(
                OodErrors.HeadSessionSignatureMismatch, info.InputColumnName, info.Kind, info.InputSize, output, outputType.Name));
        }
    }

    /// <summary>Whether files of this session's model can still be reached by path (only where mapped files cannot be deleted).</summary>
    internal bool HoldsExternalDataFiles(OodHeadModel model) => _ownedFiles is not null || model.Source.External?.HasPaths == true;

    /// <summary>
    /// Scores <paramref name="rows"/> rows laid out row-major in <paramref name="input"/>, in as few calls as the plan's
    /// rows per call allow, of equal size (views, not copies: a call of a large head costs a pass over its weights
    /// whatever its row count, so 256 rows under a cap of 200 run as 128 + 128, not 200 + 56), up to
    /// <see cref="ParallelPlan.ConcurrentRuns"/> of them at once. Each call writes its own rows, and a row's score does
    /// not depend on the rows beside it (docs/ARCHITECTURE.md section 4), so the scores are the same bit for bit.
    /// </summary>
    public void Run<TOutput>(float[] input, int rows, TOutput[] output) where TOutput : unmanaged
    {
        int calls = (int)(((long)rows + _plan.RowsPerRun - 1) / _plan.RowsPerRun);
        int perCall = calls <= 1 ? rows : (rows + calls - 1) / calls;
        calls = (rows + perCall - 1) / perCall;
        if (calls <= 1 || _plan.ConcurrentRuns <= 1)
        {
            for (int start = 0; start < rows; start += perCall)
            {
                RunSlice(input, start, Math.Min(perCall, rows - start), output);
            }

            return;
        }

        try
        {
            Parallel.For(0, calls, new ParallelOptions { MaxDegreeOfParallelism = _plan.ConcurrentRuns },
                call => RunSlice(input, call * perCall, Math.Min(perCall, rows - call * perCall), output));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // The caller sees what one sequential call would have thrown, not Parallel.For's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    private void RunSlice<TOutput>(float[] input, int start, int count, TOutput[] output) where TOutput : unmanaged
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance, input.AsMemory(start * _inputSize, count * _inputSize), [count, _inputSize]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance, output.AsMemory(start, count), [count]);
        _session.Run(_runOptions, _inputNames, [inputValue], _outputNames, [outputValue]);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
        _ownedFiles?.Dispose();
    }

    /// <summary>
    /// Mirrors ML.NET's OnnxTransformer: CUDA when a device is given, and the CPU instead when the GPU
    /// runtime is missing or fails and the caller allowed the fallback. The CUDA provider exists only when
    /// the user references Microsoft.ML.OnnxRuntime.Gpu; MlOod itself references the managed API only.
    /// </summary>
    /// <remarks>
    /// Prepacking keeps a GEMM-ready copy of each weight. For a large head (a KNN bank, kept in external data) that
    /// copy would sit beside the original, which the head also reads (Gather): measured on a 50,000 x 512 bank,
    /// disabling it saved 100 MB of peak memory (1041 -> 942 MB) and left scoring time unchanged (4.71 vs 4.76 s for
    /// 10,000 queries). Small heads keep it: without a packed weight, ONNX Runtime multiplies a single row with its own
    /// kernel, whose rounding differs from the batched kernel's, so a PredictionEngine's score would differ from the
    /// batched one in the last bits (2 ulps measured on a Mahalanobis head).
    /// </remarks>
    internal static (InferenceSession Session, bool OnGpu, string? FallbackReason) CreateSession(Func<SessionOptions, InferenceSession> create,
        OodHeadExecution execution, bool prepack, int threads)
    {
        string? fallbackReason = null;
        if (execution.GpuDeviceId is int device)
        {
            try
            {
                using var gpuOptions = SessionOptions.MakeSessionOptionWithCudaProvider(device);
                if (!prepack)
                {
                    gpuOptions.AddSessionConfigEntry("session.disable_prepacking", "1");
                }

                return (create(gpuOptions), true, null);
            }
            catch (Exception e) when (IsGpuUnavailable(e))
            {
                if (!execution.FallbackToCpu)
                {
                    throw GpuUnavailable(device, e);
                }

                fallbackReason = e.Message;
            }
        }
        // The thread count is always set: ONNX Runtime's default (one per physical core, as it detects them) was 1 on a
        // 2-core virtual machine, which left half the machine idle.
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        if (threads > 1)
        {
            // ONNX Runtime's worker threads otherwise spin after each call, taking cores from the rest of the
            // pipeline (a service's other heads and requests); a large head's calls are long enough that waking
            // them costs nothing measurable.
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }

        if (!prepack)
        {
            options.AddSessionConfigEntry("session.disable_prepacking", "1");
        }

        return (create(options), false, fallbackReason);
    }

    /// <summary>
    /// The CPU-only native runtime has no CUDA entry point at all (EntryPointNotFoundException), a GPU runtime
    /// without CUDA libraries fails to load them (OnnxRuntimeException), and a missing native library is a
    /// DllNotFoundException; all mean "no GPU here".
    /// </summary>
    internal static bool IsGpuUnavailable(Exception e)
        => e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException;

    internal static InvalidOperationException GpuUnavailable(int device, Exception inner)
        => new(OodErrors.Format(OodErrors.GpuUnavailable, device, inner.Message), inner);
}
