using System.Numerics.Tensors;

namespace Ml.Ood;

/// <summary>
/// NegMining (Jiang et al., ICLR 2024, section 3.2; authors' <c>multi_modal.py</c>): from a lexicon of candidate
/// words with text embeddings, pick the words farthest from the in-distribution labels, to serve as NegLabel's
/// negative labels.
/// </summary>
/// <remarks>
/// For each candidate, the key is the q-quantile (linear interpolation, as <c>torch.quantile</c>) of its cosine
/// similarities to the in-distribution label embeddings; q = 1 (the maximum, the code's default) ranks a word by
/// its nearest class. The paper's eta-percentile of negative distances is the same rule with q = 1 - eta.
/// Candidates are sorted by ascending key and the lowest are kept, nouns, adjectives and words of unspecified
/// part of speech each from their own pool. The authors keep the same fraction of each pool
/// (<c>int(len(pool) * neg_topk)</c>); with a count M here, pool p keeps floor(M * n_p / N) words and the
/// words that rounding leaves over go to the pools with the largest fractional parts (nouns first on a tie),
/// so exactly min(M, N) words are kept. Candidates whose trimmed text equals an in-distribution label name
/// (ignoring case) are excluded, and so is a candidate whose text equals an earlier candidate's (the authors
/// de-duplicate the same way, first occurrence wins). Equal keys are ordered by position in the lexicon, so
/// the result is deterministic.
/// </remarks>
public static class NegativeLabelMiner
{
    /// <summary>The number of negative labels the authors keep for ImageNet-1k.</summary>
    public const int DefaultCount = 10_000;

    /// <summary>Picks the negative labels.</summary>
    /// <param name="candidates">The lexicon's words, e.g. from <see cref="Lexicon.LoadWordNet"/>.</param>
    /// <param name="candidateEmbeddings">One text embedding per candidate, from the same text encoder as the ID labels (prompted by part of speech: "a photo of a {}." for nouns, "This is a {} photo" for adjectives, as the authors).</param>
    /// <param name="idLabelNames">The in-distribution class names, to exclude candidates equal to one.</param>
    /// <param name="idLabelEmbeddings">One text embedding per class, as wide as the candidates'.</param>
    /// <param name="count">How many words to keep (M); null keeps every candidate. 10,000 in the paper.</param>
    /// <param name="quantile">q in [0, 1]; 1 (the maximum) in the authors' code.</param>
    public static NegativeLabelSelection Select(IReadOnlyList<LexiconWord> candidates, IReadOnlyList<float[]> candidateEmbeddings,
        IReadOnlyList<string> idLabelNames, IReadOnlyList<float[]> idLabelEmbeddings, int? count = DefaultCount, double quantile = 1)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(candidateEmbeddings);
        ArgumentNullException.ThrowIfNull(idLabelNames);
        if (count is int m && m < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), m, OodErrors.MinerCountTooSmall);
        }

        if (!(quantile >= 0 && quantile <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, OodErrors.MinerQuantileOutOfRange);
        }

        var id = LabelEmbeddings.Normalise(idLabelEmbeddings, LabelEmbeddings.IdSet, nameof(idLabelEmbeddings));
        if (idLabelNames.Count != id.Count)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.IdLabelNamesCountMismatch, idLabelNames.Count, id.Count), nameof(idLabelNames));
        }

        if (candidates.Count != candidateEmbeddings.Count)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.CandidateEmbeddingsCountMismatch, candidates.Count, candidateEmbeddings.Count), nameof(candidateEmbeddings));
        }

        var words = LabelEmbeddings.Normalise(candidateEmbeddings, LabelEmbeddings.CandidateSet, nameof(candidateEmbeddings), id.Width);

        var kept = Eligible(candidates, idLabelNames, out int excludedAsIdLabels, out int excludedAsDuplicates);
        var keys = new float[candidates.Count];
        Parallel.ForEach(kept, i => keys[i] = QuantileSimilarity(words.Row(i), id, quantile));

        var pools = new[] { PartOfSpeech.Noun, PartOfSpeech.Adjective, PartOfSpeech.Unspecified }
            .Select(tag => kept.Where(i => candidates[i].PartOfSpeech == tag).ToArray()).ToArray();
        var quotas = Quotas(pools.Select(p => p.Length).ToArray(), count ?? kept.Count);
        var picked = pools.SelectMany((pool, p) => pool
            .OrderBy(i => keys[i]).ThenBy(i => i)
            .Take(quotas[p])).ToArray();
        return new NegativeLabelSelection(picked, picked.Select(i => candidates[i]).ToArray(),
            picked.Select(i => candidateEmbeddings[i]).ToArray(), picked.Select(i => keys[i]).ToArray(),
            excludedAsIdLabels, excludedAsDuplicates);
    }

    /// <summary>
    /// How many words each pool keeps: floor(M * n_p / N), the remainder to the largest fractional parts, earlier
    /// pools first on a tie (largest-remainder apportionment; sums to min(M, N)).
    /// </summary>
    internal static int[] Quotas(int[] poolSizes, int count)
    {
        long total = poolSizes.Sum();
        if (count >= total)
        {
            return poolSizes.ToArray();
        }

        var quotas = poolSizes.Select(n => (int)(count * (long)n / total)).ToArray();
        int left = count - quotas.Sum();
        var byRemainder = Enumerable.Range(0, poolSizes.Length)
            .OrderByDescending(p => count * (long)poolSizes[p] % total).ThenBy(p => p);
        foreach (int p in byRemainder.Take(left))
        {
            quotas[p]++;
        }

        return quotas;
    }

    /// <summary>The q-quantile of a word's cosines to the labels, interpolated linearly between order statistics as torch.quantile does.</summary>
    internal static float QuantileSimilarity(ReadOnlySpan<float> word, LabelEmbeddings labels, double quantile)
    {
        var cosines = new float[labels.Count];
        for (int k = 0; k < cosines.Length; k++)
        {
            cosines[k] = TensorPrimitives.Dot(word, labels.Row(k));
        }

        if (quantile == 1)
        {
            return TensorPrimitives.Max<float>(cosines);
        }

        Array.Sort(cosines);
        double position = quantile * (cosines.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, cosines.Length - 1);
        return (float)(cosines[below] + (position - below) * (cosines[above] - cosines[below]));
    }

    private static List<int> Eligible(IReadOnlyList<LexiconWord> candidates, IReadOnlyList<string> idLabelNames,
        out int excludedAsIdLabels, out int excludedAsDuplicates)
    {
        var idNames = new HashSet<string>(idLabelNames.Select(n => (n ?? "").Trim()), StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var kept = new List<int>(candidates.Count);
        excludedAsIdLabels = excludedAsDuplicates = 0;
        for (int i = 0; i < candidates.Count; i++)
        {
            string text = candidates[i]?.Text?.Trim() ?? throw new ArgumentException(OodErrors.Format(OodErrors.CandidateWithoutText, i), nameof(candidates));
            if (idNames.Contains(text))
            {
                excludedAsIdLabels++;
            }
            else if (!seen.Add(text))
            {
                excludedAsDuplicates++;
            }
            else
            {
                kept.Add(i);
            }
        }
        return kept;
    }
}
