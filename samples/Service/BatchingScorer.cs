using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.ML;

namespace Ml.Ood.Service;

/// <summary>
/// Dynamic batching, as Triton's dynamic batcher: the inputs of concurrent requests queue in a channel; a loop takes
/// what is queued, waits for more for at most <see cref="ServiceOptions.MaxBatchDelayMs"/> (default 0) up to
/// <see cref="ServiceOptions.MaxBatchSize"/> rows, scores them with one cursor over the model's Transform of an
/// in-memory view (MlOod's heads score a block per ONNX Runtime call) and hands each request its own rows back. While a
/// batch is scored the next one queues, so under load batches fill without waiting; <see cref="ServiceOptions.BatchWorkers"/>
/// loops run side by side. A batch of one row (a lone request under light load) goes through a row engine instead
/// (<see cref="ServiceOptions.LoneRowsByEngine"/>).
/// </summary>
public sealed class BatchingScorer : IOodScorer, IAsyncDisposable
{
    private readonly ModelHost _host;
    private readonly ILogger<BatchingScorer> _log;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly Task[] _loops;
    private long _loneRows;
    private readonly Lock _enqueue = new();
    private bool _stopping;

    public BatchingScorer(ModelHost host, ILogger<BatchingScorer> log)
    {
        _host = host;
        _log = log;
        // Made here, not in the loops: a model without a row engine fails the service's start, not each lone request.
        var engines = new List<RowEngine?>();
        try
        {
            for (int i = 0; i < host.Options.BatchWorkers; i++)
            {
                engines.Add(host.Options.LoneRowsByEngine ? new RowEngine(host) : null);
            }
        }
        catch
        {
            engines.ForEach(e => e?.Dispose());
            throw;
        }
        _loops = engines.Select(engine => Task.Run(() => RunAsync(engine))).ToArray();
    }

    public async Task<ScoredItem[]> ScoreAsync(IReadOnlyList<ServedInput> inputs, CancellationToken cancellation)
    {
        var pending = inputs.Select(i => new Pending(i)).ToArray();
        // A request is queued whole or not at all: refused half-queued while the service stops, its handler would dispose
        // the images of the queued half while a loop still scored them.
        lock (_enqueue)
        {
            if (_stopping)
            {
                throw new ObjectDisposedException(nameof(BatchingScorer), "The service is stopping.");
            }

            foreach (var p in pending)
            {
                // Unbounded and completed only under this lock, so the write succeeds.
                _queue.Writer.TryWrite(p);
            }
        }
        // Not cancelled with the request: a row already queued is scored with its batch; the answer is just not sent.
        return await Task.WhenAll(pending.Select(p => p.Result.Task)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_enqueue)
        {
            _stopping = true;
            _queue.Writer.TryComplete();
        }
        await Task.WhenAll(_loops).ConfigureAwait(false);
    }

    private async Task RunAsync(RowEngine? engine)
    {
        using var owned = engine;
        var batch = new List<Pending>(_host.Options.MaxBatchSize);
        var inputs = new List<ServedInput>(_host.Options.MaxBatchSize);
        var view = new InputBatchView(_host.Input);
        IDataView? scored = null;
        var delay = TimeSpan.FromMilliseconds(_host.Options.MaxBatchDelayMs);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var gathered = Stopwatch.StartNew();
            while (batch.Count < _host.Options.MaxBatchSize)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    continue;
                }
                var left = delay - gathered.Elapsed;
                if (batch.Count > 0 && left <= TimeSpan.Zero)
                {
                    break;
                }
                using var timeout = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            if (batch.Count == 1 && engine is not null)
            {
                ScoreAlone(batch[0], engine);
            }
            else if (batch.Count > 0)
            {
                inputs.Clear();
                inputs.AddRange(batch.Select(p => p.Input));
                view.Set(inputs);
                scored = Score(batch, view, scored);
            }
        }
    }

    /// <summary>
    /// How many lone rows went to the row engine (<see cref="ServiceOptions.LoneRowsByEngine"/>), answered or failed, for
    /// metrics.
    /// </summary>
    public long LoneRows => Interlocked.Read(ref _loneRows);

    /// <summary>
    /// Raised on the scoring loop after a batch was scored and its cursor disposed (a lone row: once the row engine is done
    /// with it), before its requests are answered: the batch's size and how long scoring took (for metrics; a slow handler
    /// delays the batch's answers, a throwing one fails them).
    /// </summary>
    public event Action<int, TimeSpan>? BatchScored;

    /// <summary>
    /// Scores one batch through the model's Transform of <paramref name="view"/>, made at the first batch and then reused;
    /// a failure fails its requests (500), never the loop. The requests are answered only once the cursor is disposed:
    /// ML.NET's pixel extractor disposes the last image it read then, and an answered request disposes its images on
    /// another thread (the two raced, ImageLifetimeTests).
    /// </summary>
    private IDataView? Score(List<Pending> batch, InputBatchView view, IDataView? scored)
    {
        long start = Stopwatch.GetTimestamp();
        var items = new ScoredItem[batch.Count];
        try
        {
            scored ??= _host.Model.Transform(view);
            int row = 0;
            using (var cursor = scored.GetRowCursor(_host.Output.Columns(scored.Schema)))
            {
                var reader = _host.Output.CreateReader(cursor);
                while (cursor.MoveNext())
                {
                    if (row == items.Length)
                    {
                        throw new InvalidOperationException($"The model returned more rows than the batch's {batch.Count}.");
                    }
                    items[row++] = reader.Read();
                }
            }
            if (row != batch.Count)
            {
                throw new InvalidOperationException($"The model returned {row} rows for a batch of {batch.Count}.");
            }
            BatchScored?.Invoke(batch.Count, Stopwatch.GetElapsedTime(start));
        }
        catch (Exception e)
        {
            _log.LogError(e, "Scoring a batch of {Rows} rows failed.", batch.Count);
            foreach (var p in batch)
            {
                p.Result.TrySetException(e);
            }
            return scored;
        }
        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].Result.TrySetResult(items[i]);
        }
        return scored;
    }

    /// <summary>
    /// A lone row (light load) through a row engine, as Engine mode scores it: a cursor over a batch of one computes the
    /// same ONNX Runtime calls on one row, but costs more (serving-load.sh, 1 client: see ServiceOptions.LoneRowsByEngine).
    /// The input is disposed before the answer (<see cref="RowEngine.Predict"/>); a failure, the metrics handler's
    /// included, fails the request (500), never the loop.
    /// </summary>
    private void ScoreAlone(Pending pending, RowEngine engine)
    {
        long start = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _loneRows);
        try
        {
            var item = engine.Predict(pending.Input);
            pending.Input.Dispose();
            BatchScored?.Invoke(1, Stopwatch.GetElapsedTime(start));
            pending.Result.TrySetResult(item);
        }
        catch (Exception e)
        {
            _log.LogError(e, "Scoring a lone row failed.");
            pending.Input.Dispose();
            pending.Result.TrySetException(e);
        }
    }

    private sealed class Pending(ServedInput input)
    {
        public ServedInput Input { get; } = input;

        public TaskCompletionSource<ScoredItem> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
