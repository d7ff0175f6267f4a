using Microsoft.ML.OnnxRuntime;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// One ONNX Runtime session per head transformer, run once per block of rows. Inputs and outputs are
/// wrapped around caller-owned arrays, so a block costs no copies and no per-row allocation.
/// </summary>
internal sealed class HeadSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _inputSize;
    private readonly RunOptions _runOptions = new();

    public HeadSession(OodHeadModel model, OodHeadExecution execution)
    {
        _session = CreateSession(model.Bytes, execution);
        _inputNames = [model.Info.InputColumnName];
        _outputNames = [model.GraphOutputName];
        _inputSize = model.Info.InputSize;
    }

    /// <summary>Scores <paramref name="rows"/> rows laid out row-major in <paramref name="input"/>.</summary>
    public void Run<TOutput>(float[] input, int rows, TOutput[] output) where TOutput : unmanaged
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance, input.AsMemory(0, rows * _inputSize), [rows, _inputSize]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance, output.AsMemory(0, rows), [rows]);
        _session.Run(_runOptions, _inputNames, [inputValue], _outputNames, [outputValue]);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }

    /// <summary>
    /// Mirrors ML.NET's OnnxTransformer: CUDA when a device is given, and the CPU instead when the GPU
    /// runtime is missing or fails and the caller allowed the fallback. The CUDA provider exists only when
    /// the user references Microsoft.ML.OnnxRuntime.Gpu; MlOod itself references the managed API only.
    /// </summary>
    internal static InferenceSession CreateSession(byte[] model, OodHeadExecution execution)
    {
        if (execution.GpuDeviceId is int device)
        {
            try
            {
                using var gpuOptions = SessionOptions.MakeSessionOptionWithCudaProvider(device);
                gpuOptions.AddSessionConfigEntry("session.disable_prepacking", "1");
                return new InferenceSession(model, gpuOptions);
            }
            catch (Exception e) when (IsGpuUnavailable(e))
            {
                if (!execution.FallbackToCpu)
                    throw GpuUnavailable(device, e);
            }
        }
        using var options = CpuOptions();
        return new InferenceSession(model, options);
    }

    /// <summary>
    /// Prepacking would keep a GEMM-ready copy of a large initializer (a KNN bank) beside the original, which
    /// the head also reads (Gather): measured on a 50,000 x 512 bank, disabling it saved 100 MB of peak memory
    /// (1041 -> 942 MB) and left scoring time unchanged (4.71 vs 4.76 s for 10,000 queries).
    /// </summary>
    private static SessionOptions CpuOptions()
    {
        var options = new SessionOptions();
        options.AddSessionConfigEntry("session.disable_prepacking", "1");
        return options;
    }

    /// <summary>
    /// The CPU-only native runtime has no CUDA entry point at all (EntryPointNotFoundException), a GPU runtime
    /// without CUDA libraries fails to load them (OnnxRuntimeException), and a missing native library is a
    /// DllNotFoundException; all mean "no GPU here".
    /// </summary>
    internal static bool IsGpuUnavailable(Exception e)
        => e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException;

    internal static InvalidOperationException GpuUnavailable(int device, Exception inner)
        => new($"Could not run the OOD head on GPU device {device}: {inner.Message} Reference Microsoft.ML.OnnxRuntime.Gpu " +
               "instead of Microsoft.ML.OnnxRuntime, or pass fallbackToCpu: true.", inner);
}
