namespace Ml.Ood.Service;

/// <summary>Scores the inputs of one request; results in the inputs' order.</summary>
public interface IOodScorer
{
    Task<ScoredItem[]> ScoreAsync(IReadOnlyList<ServedInput> inputs, CancellationToken cancellation);
}
