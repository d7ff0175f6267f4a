namespace Ml.Ood.Service;

/// <summary>
/// Scores the inputs of one request; results in the inputs' order. A scorer answers only once the model will no longer
/// touch the inputs' images, which may then be disposed already (ML.NET's image transforms dispose the images they read);
/// disposing them again does nothing.
/// </summary>
public interface IOodScorer
{
    Task<ScoredItem[]> ScoreAsync(IReadOnlyList<ServedInput> inputs, CancellationToken cancellation);
}
