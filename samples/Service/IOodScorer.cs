namespace Ml.Ood.Service;

/// <summary>
/// Scores the inputs of one request; results in the inputs' order. A scorer answers only once nothing will dispose the
/// inputs' images on another thread: ML.NET's image transforms dispose the images they read (the resizer at its next
/// row), so either they did before the answer or the scorer did, and every later dispose does nothing.
/// </summary>
public interface IOodScorer
{
    Task<ScoredItem[]> ScoreAsync(IReadOnlyList<ServedInput> inputs, CancellationToken cancellation);
}
