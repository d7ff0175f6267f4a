namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// Counts the users of state that several PredictionEngines and cursors share (a head's ONNX Runtime session, a
/// loaded model's ML.NET transformers), and frees it when the last one lets go. Guards every native call, so that
/// state freed by one user is never reached by another: such a call throws <see cref="ObjectDisposedException"/>.
/// </summary>
/// <remarks>
/// ML.NET's PredictionEngine disposes the model it was created from when it is itself disposed, unless created with
/// <c>OwnsTransformer = false</c> (dotnet/machinelearning#5945): with one engine per thread or per request, the first
/// engine to go would free what the others still use. So the owner holds one reference, every row-to-row mapper (one
/// per engine) and every open cursor takes one more, and <see cref="Release"/> gives one back: an engine's Dispose of
/// the model returns the reference its mapper took. The state is freed when the count reaches zero; calls in flight
/// finish first. <see cref="Enter"/> and <see cref="Exit"/> run once per row and per head, so they take no lock.
/// </remarks>
internal sealed class SharedLifetime
{
    private readonly object _gate = new();
    private readonly Action _free;
    private readonly string _name;
    private int _references = 1;
    private int _inFlight;
    private volatile bool _closing;

    /// <param name="name">What is shared, for the ObjectDisposedException's message.</param>
    /// <param name="free">Frees the state; called once, outside the lock, with no call in flight.</param>
    public SharedLifetime(string name, Action free)
    {
        _name = name;
        _free = free;
    }

    /// <summary>Whether the state is freed or being freed (the count reached zero).</summary>
    public bool IsDisposed => _closing;

    /// <summary>Takes one more reference, or throws when the state is already gone.</summary>
    public void Acquire()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            _references++;
        }
    }

    /// <summary>Gives one reference back; the last one frees the state once the calls in flight are done.</summary>
    /// <returns>True when this call freed the state.</returns>
    public bool Release()
    {
        lock (_gate)
        {
            if (_references == 0)
            {
                return false;
            }

            if (--_references > 0)
            {
                return false;
            }

            _closing = true;
            while (Volatile.Read(ref _inFlight) > 0)
            {
                Monitor.Wait(_gate);
            }
        }
        _free();
        return true;
    }

    /// <summary>Marks a native call as in flight; throws when the state is gone.</summary>
    public void Enter()
    {
        Interlocked.Increment(ref _inFlight);
        if (_closing)
        {
            Exit();
            ThrowIfDisposed();
        }
    }

    /// <summary>Ends a call started with <see cref="Enter"/>.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _closing)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> when the state is gone.</summary>
    public void ThrowIfDisposed()
    {
        if (_closing)
        {
            throw new ObjectDisposedException(_name, OodErrors.Format(OodErrors.HeadDisposed, _name));
        }
    }
}
