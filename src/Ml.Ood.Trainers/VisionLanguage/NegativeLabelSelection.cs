namespace Ml.Ood;

/// <summary>The negative labels NegMining picked, in the order the NegLabel head should receive them.</summary>
/// <remarks>
/// Order: the nouns, then the adjectives, then words of unspecified part of speech (the authors concatenate nouns
/// and adjectives the same way); within each, ascending similarity to the in-distribution labels, ties broken by
/// the candidate's position in the lexicon.
/// </remarks>
public sealed class NegativeLabelSelection
{
    internal NegativeLabelSelection(IReadOnlyList<int> indices, IReadOnlyList<LexiconWord> words, IReadOnlyList<float[]> embeddings,
        IReadOnlyList<float> similarities, int excludedAsIdLabels, int excludedAsDuplicates)
    {
        Indices = indices;
        Words = words;
        Embeddings = embeddings;
        Similarities = similarities;
        ExcludedAsIdLabels = excludedAsIdLabels;
        ExcludedAsDuplicates = excludedAsDuplicates;
    }

    /// <summary>The picked candidates' positions in the lexicon given to the miner.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>The picked words.</summary>
    public IReadOnlyList<LexiconWord> Words { get; }

    /// <summary>The picked words' text embeddings, as given (the NegLabel head normalises them).</summary>
    public IReadOnlyList<float[]> Embeddings { get; }

    /// <summary>Each picked word's q-quantile of cosine similarities to the in-distribution labels (its ranking key).</summary>
    public IReadOnlyList<float> Similarities { get; }

    /// <summary>How many candidates were left out because they equal an in-distribution label name.</summary>
    public int ExcludedAsIdLabels { get; }

    /// <summary>How many candidates were left out because an earlier candidate has the same text.</summary>
    public int ExcludedAsDuplicates { get; }

    /// <summary>The number of picked words.</summary>
    public int Count => Indices.Count;
}
