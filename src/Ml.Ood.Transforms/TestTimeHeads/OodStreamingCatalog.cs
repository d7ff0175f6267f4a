using Microsoft.ML;

namespace Ml.Ood;

/// <summary>Serving test-time heads: <c>ml.Ood().CreateStreamingScorer(model)</c>.</summary>
public static class OodStreamingCatalog
{
    /// <summary>
    /// A thread-safe streaming scorer over the one test-time head (OODD) of a fitted pipeline or of one loaded with
    /// <c>ml.Ood().Load</c>. It starts from the head's fitted starting state.
    /// </summary>
    /// <param name="catalog">The OOD catalog.</param>
    /// <param name="model">The pipeline.</param>
    /// <exception cref="ArgumentException">The pipeline holds no test-time head, or several.</exception>
    public static OodStreamingScorer CreateStreamingScorer(this OodCatalog catalog, ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        var heads = new List<OodTestTimeTransformer>();
        Collect(model, heads);
        if (heads.Count != 1)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.StreamingHeadCount, heads.Count), nameof(model));
        }

        return new OodStreamingScorer(heads[0]);
    }

    private static void Collect(ITransformer model, List<OodTestTimeTransformer> heads)
    {
        switch (model)
        {
            case OodTestTimeTransformer head:
                heads.Add(head);
                break;
            case OodLoadedModel loaded:
                Collect(loaded.Model, heads);
                break;
            case IEnumerable<ITransformer> chain:
                foreach (var part in chain)
                {
                    Collect(part, heads);
                }

                break;
        }
    }
}
