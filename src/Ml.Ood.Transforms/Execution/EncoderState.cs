using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// What every user of one encoder shares: its model, its ONNX Runtime session (created on first use) and their
/// lifetime, counted as a head's is (<see cref="HeadState"/>): the owner, one per row-to-row mapper, one per open cursor.
/// </summary>
internal sealed class EncoderState
{
    private readonly MLContext _context;
    private readonly Lock _sessionLock = new();
    private EncoderSession? _session;

    public EncoderState(MLContext context, OnnxEncoderModel model, OodHeadExecution execution)
    {
        _context = context;
        Model = model;
        Execution = execution;
        Lifetime = new SharedLifetime(OodErrors.Format(OodErrors.EncoderSubject, model.Describe()), Free);
    }

    public OnnxEncoderModel Model { get; }

    public OodHeadExecution Execution { get; }

    public SharedLifetime Lifetime { get; }

    /// <summary>The session, created on first use (not a Lazy: a failure, a busy GPU, must not stick for good).</summary>
    public EncoderSession Session()
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

    /// <summary>Encodes <paramref name="rows"/> rows; throws <see cref="ObjectDisposedException"/> once the encoder is freed.</summary>
    public void Run(float[][] inputs, int rows, float[][] outputs)
    {
        Lifetime.Enter();
        try
        {
            SessionCore().Run(inputs, rows, outputs);
        }
        finally
        {
            Lifetime.Exit();
        }
    }

    private EncoderSession SessionCore()
    {
        lock (_sessionLock)
        {
            if (_session is null)
            {
                _session = new EncoderSession(Model, Execution);
                if (_session.CpuFallbackReason is string reason)
                {
                    using var channel = ((IHostEnvironment)_context).Start("MlOod");
                    channel.Warning(MessageSensitivity.None,
                        OodErrors.Format(OodErrors.EncoderGpuFallbackToCpu, Execution.GpuDeviceId, Model.Describe(), reason));
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
    }
}
