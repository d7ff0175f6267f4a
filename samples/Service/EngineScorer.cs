using System.Collections.Concurrent;

namespace Ml.Ood.Service;

/// <summary>
/// The alternative to batching, as ML.NET users serve a model: a pool of PredictionEngine-style row engines (one per
/// concurrent request, reused, as Microsoft.Extensions.ML's PredictionEnginePool does), each scoring its request's rows
/// one at a time through the model's row-to-row mapper. It disposes a request's inputs before it answers.
/// </summary>
public sealed class EngineScorer(ModelHost host) : IOodScorer, IDisposable
{
    private readonly ConcurrentBag<RowEngine> _pool = [];

    public Task<ScoredItem[]> ScoreAsync(IReadOnlyList<ServedInput> inputs, CancellationToken cancellation)
    {
        if (!_pool.TryTake(out var engine))
        {
            engine = new RowEngine(host);
        }

        try
        {
            return Task.FromResult(inputs.Select(engine.Predict).ToArray());
        }
        finally
        {
            // Before the engine goes back: ML.NET's resizer passes an image of the model's size on as it is and disposes
            // it at the engine's next row, which may be another request's on another thread while this request disposes
            // it (MLImage.Dispose is not thread-safe). Disposed here first, both later disposes do nothing.
            foreach (var input in inputs)
            {
                input.Dispose();
            }

            _pool.Add(engine);
        }
    }

    public void Dispose()
    {
        while (_pool.TryTake(out var engine))
        {
            engine.Dispose();
        }
    }
}
