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
    private readonly int _maxRowsPerRun;
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
            if (files is null)
            {
                byte[] bytes = source.ToArray();
                _session = CreateSession(options => new InferenceSession(bytes, options), execution, prepack: true);
            }
            else
            {
                _session = CreateSession(options => new InferenceSession(files.ModelPath(), options), execution, prepack: false);
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
        _maxRowsPerRun = model.Info.MaxRowsPerRun ?? int.MaxValue;
    }

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
    /// Scores <paramref name="rows"/> rows laid out row-major in <paramref name="input"/>, in as few slices as the head's
    /// <see cref="OodHeadInfo.MaxRowsPerRun"/> allows, of equal size (views, not copies): a call costs a pass over the
    /// head's weights whatever its row count, so 256 rows under a cap of 200 run as 128 + 128, not 200 + 56.
    /// </summary>
    public void Run<TOutput>(float[] input, int rows, TOutput[] output) where TOutput : unmanaged
    {
        int slices = (int)(((long)rows + _maxRowsPerRun - 1) / _maxRowsPerRun);
        int perSlice = slices <= 1 ? rows : (rows + slices - 1) / slices;
        for (int start = 0; start < rows; start += perSlice)
        {
            int count = Math.Min(perSlice, rows - start);
            using var inputValue = OrtValue.CreateTensorValueFromMemory(
                OrtMemoryInfo.DefaultInstance, input.AsMemory(start * _inputSize, count * _inputSize), [count, _inputSize]);
            using var outputValue = OrtValue.CreateTensorValueFromMemory(
                OrtMemoryInfo.DefaultInstance, output.AsMemory(start, count), [count]);
            _session.Run(_runOptions, _inputNames, [inputValue], _outputNames, [outputValue]);
        }
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
    internal static InferenceSession CreateSession(Func<SessionOptions, InferenceSession> create, OodHeadExecution execution, bool prepack)
    {
        if (execution.GpuDeviceId is int device)
        {
            try
            {
                using var gpuOptions = SessionOptions.MakeSessionOptionWithCudaProvider(device);
                if (!prepack)
                {
                    gpuOptions.AddSessionConfigEntry("session.disable_prepacking", "1");
                }

                return create(gpuOptions);
            }
            catch (Exception e) when (IsGpuUnavailable(e))
            {
                if (!execution.FallbackToCpu)
                {
                    throw GpuUnavailable(device, e);
                }
            }
        }
        using var options = new SessionOptions();
        if (!prepack)
        {
            options.AddSessionConfigEntry("session.disable_prepacking", "1");
        }

        return create(options);
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
