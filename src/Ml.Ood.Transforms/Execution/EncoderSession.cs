using Microsoft.ML.OnnxRuntime;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// One ONNX Runtime session per encoder, run once per block of rows, as a head's <see cref="HeadSession"/> is: inputs
/// and outputs are wrapped around caller-owned arrays (no copies, no per-row allocation), and a fill of rows is spread
/// over <see cref="ParallelPlan.ConcurrentRuns"/> concurrent calls, each on one thread over its own block.
/// </summary>
internal sealed class EncoderSession : IDisposable
{
    /// <summary>The fewest rows a call takes when a fill smaller than a block is spread over concurrent calls.</summary>
    internal const int MinRowsPerCall = 8;

    private readonly InferenceSession _session;
    private readonly ParallelPlan _plan;
    private readonly RunOptions _runOptions = new();
    private readonly EncoderTensor[] _inputs;
    private readonly EncoderTensor[] _outputs;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    public EncoderSession(OnnxEncoderModel model, OodHeadExecution execution)
    {
        // An encoder is a small model run over many rows, as a small head is: blocks on every core at once. Weights stay
        // prepacked, so that a single row (a PredictionEngine) goes through the same GEMM kernel as a block.
        var plan = new ParallelPlan(execution.BlockSize, execution.Parallelism, 1, checked(execution.BlockSize * execution.Parallelism));
        (_session, bool onGpu, CpuFallbackReason) = HeadSession.CreateSession(
            options => new InferenceSession(model.Bytes, options), execution, prepack: true, plan.ThreadsPerRun);
        _plan = onGpu ? plan.OnGpu(execution) : plan;
        try
        {
            (_inputs, _outputs) = EncoderTensor.ReadSignature(_session, model.InputNames, model.OutputNames);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
        _inputNames = model.InputNames;
        _outputNames = model.OutputNames;
    }

    /// <summary>Why a GPU was asked for and the CPU runs instead (ONNX Runtime's message); null when not so.</summary>
    public string? CpuFallbackReason { get; }

    /// <summary>Rows a cursor reads before it encodes them: a block for every concurrent call.</summary>
    public int RowsPerFill => _plan.RowsPerFill;

    /// <summary>
    /// Encodes <paramref name="rows"/> rows: <paramref name="inputs"/>[i] holds input i's rows back to back, and
    /// <paramref name="outputs"/>[j] receives output j's. Calls of equal size, up to <see cref="ParallelPlan.ConcurrentRuns"/>
    /// at once; each writes only its own rows, and a row's outputs do not depend on the rows beside it (measured on LeNet:
    /// bit for bit the same in blocks of 1, 64 and 256 as ApplyOnnxModel's one row per call).
    /// </summary>
    public void Run(float[][] inputs, int rows, float[][] outputs)
    {
        // Unlike a head's rows, an encoder's are costly (a network per image): a fill smaller than a block, such as a
        // service's batch of concurrent requests, is still spread over the concurrent calls, down to MinRowsPerCall each.
        int calls = Math.Max((rows + _plan.RowsPerRun - 1) / _plan.RowsPerRun, Math.Min(_plan.ConcurrentRuns, rows / MinRowsPerCall));
        int perCall = calls <= 1 ? rows : (rows + calls - 1) / calls;
        calls = (rows + perCall - 1) / perCall;
        if (calls <= 1 || _plan.ConcurrentRuns <= 1)
        {
            for (int start = 0; start < rows; start += perCall)
            {
                RunSlice(inputs, start, Math.Min(perCall, rows - start), outputs);
            }

            return;
        }

        try
        {
            Parallel.For(0, calls, new ParallelOptions { MaxDegreeOfParallelism = _plan.ConcurrentRuns },
                call => RunSlice(inputs, call * perCall, Math.Min(perCall, rows - call * perCall), outputs));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    private void RunSlice(float[][] inputs, int start, int count, float[][] outputs)
    {
        var inputValues = new OrtValue[_inputs.Length];
        var outputValues = new OrtValue[_outputs.Length];
        try
        {
            for (int i = 0; i < _inputs.Length; i++)
            {
                inputValues[i] = Wrap(inputs[i], _inputs[i], start, count);
            }

            for (int j = 0; j < _outputs.Length; j++)
            {
                outputValues[j] = Wrap(outputs[j], _outputs[j], start, count);
            }

            _session.Run(_runOptions, _inputNames, inputValues, _outputNames, outputValues);
        }
        finally
        {
            foreach (var value in inputValues.Concat(outputValues))
            {
                value?.Dispose();
            }
        }
    }

    private static OrtValue Wrap(float[] block, EncoderTensor tensor, int start, int count)
    {
        int size = tensor.RowSize;
        long[] shape = [count, .. tensor.Dimensions.Select(d => (long)d)];
        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, block.AsMemory(start * size, count * size), shape);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
