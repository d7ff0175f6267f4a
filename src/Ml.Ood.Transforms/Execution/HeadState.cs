using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// What every user of one fitted head shares: its ONNX model, its ONNX Runtime session (created on first use) and
/// their lifetime. Cursors and row-to-row mappers hold references (<see cref="SharedLifetime"/>), so that a
/// PredictionEngine that disposes the head cannot free the session under another engine.
/// </summary>
internal sealed class HeadState
{
    private readonly MLContext _context;
    private readonly OodHeadExecution _execution;
    private readonly Lock _sessionLock = new();
    private HeadSession? _session;
    private long _nonFiniteRows;
    private long _nextPerRowReport = 1;

    private readonly Action? _onFree;

    /// <param name="context">The context whose log reports non-finite rows.</param>
    /// <param name="model">The head.</param>
    /// <param name="execution">Where its session runs.</param>
    /// <param name="onFree">Frees what a test-time head keeps beside the session (its dictionary graph), with the session.</param>
    public HeadState(MLContext context, OodHeadModel model, OodHeadExecution execution, Action? onFree = null)
    {
        _context = context;
        _onFree = onFree;
        Model = model;
        _execution = execution;
        Lifetime = new SharedLifetime(OodErrors.Format(OodErrors.HeadWritingSubject, model.Info.OutputColumnName, model.Info.Kind), Free);
    }

    public OodHeadModel Model { get; }

    public OodHeadInfo Info => Model.Info;

    public SharedLifetime Lifetime { get; }

    /// <summary>Rows whose score (or, for a decision, whose input score) was NaN or infinite, over every cursor and engine.</summary>
    public long NonFiniteRows => Interlocked.Read(ref _nonFiniteRows);

    /// <summary>
    /// The session, created on first use. Not a Lazy: a failure (a full disk while writing a large head's files, a
    /// busy GPU) must not stick to the head for good.
    /// </summary>
    public HeadSession Session()
    {
        Lifetime.Enter();
        try
        {
            return SessionCore();
        }
        finally
        {
            Lifetime.Exit();
        }
    }

    /// <summary>Scores <paramref name="rows"/> rows; throws <see cref="ObjectDisposedException"/> once the head is freed.</summary>
    public void Run<TOutput>(float[] input, int rows, TOutput[] output) where TOutput : unmanaged
    {
        Lifetime.Enter();
        try
        {
            SessionCore().Run(input, rows, output);
        }
        finally
        {
            Lifetime.Exit();
        }
    }

    /// <summary>Counts the non-finite rows of one cursor, and says so once on the context's log.</summary>
    public void ReportCursor(long nonFinite, long rows)
    {
        if (nonFinite == 0)
        {
            return;
        }

        Interlocked.Add(ref _nonFiniteRows, nonFinite);
        Warn($"{nonFinite:N0} of {rows:N0} rows");
    }

    /// <summary>Counts one non-finite row scored through a PredictionEngine; logs the 1st, 10th, 100th, ... such row.</summary>
    public void ReportRow()
    {
        long count = Interlocked.Increment(ref _nonFiniteRows);
        long next = Interlocked.Read(ref _nextPerRowReport);
        if (count >= next && Interlocked.CompareExchange(ref _nextPerRowReport, next * 10, next) == next)
        {
            Warn($"{count:N0} rows so far");
        }
    }

    private void Warn(string howMany)
    {
        string what = Info.OutputKind == OodHeadOutputKind.Decision
            ? $"had a NaN or infinite score in '{Info.InputColumnName}'; the decision '{Info.OutputColumnName}' flags such rows out-of-distribution"
            : TestTime.TestTimeStates.IsTestTimeHead(Info.Kind)
                ? $"got a NaN score in '{Info.OutputColumnName}' because their '{Info.InputColumnName}' holds a NaN or infinite value, or " +
                  "the test-time state had too few rows to compare them with yet (OODD: fewer than K2 in its dictionary); " +
                  "a Threshold decision flags such rows out-of-distribution"
                : $"got a NaN or infinite score in '{Info.OutputColumnName}' because their '{Info.InputColumnName}' holds a NaN or infinite value; " +
                  "a Threshold decision flags such rows out-of-distribution";
        using var channel = ((IHostEnvironment)_context).Start("MlOod");
        channel.Warning(MessageSensitivity.None, $"{howMany} {what}.");
    }

    private HeadSession SessionCore()
    {
        lock (_sessionLock)
        {
            if (_session is null)
            {
                _session = new HeadSession(Model, _execution);
                if (_session.CpuFallbackReason is string reason)
                {
                    // The user asked for a GPU: running on the CPU instead is allowed (FallbackToCpu), but never silent.
                    using var channel = ((IHostEnvironment)_context).Start("MlOod");
                    channel.Warning(MessageSensitivity.None,
                        OodErrors.Format(OodErrors.GpuFallbackToCpu, _execution.GpuDeviceId, Info.OutputColumnName, Info.Kind, reason));
                }
            }

            return _session;
        }
    }

    private void Free()
    {
        lock (_sessionLock)
        {
            _session?.Dispose();
            _session = null;
        }
        _onFree?.Invoke();
        Model.Dispose();
    }
}
