namespace Ml.Ood;

/// <summary>NegLabel with its negative labels mined from a lexicon (NegMining), on <c>ml.Ood()</c>.</summary>
/// <remarks>
/// Device, CPU fallback and rows per ONNX Runtime call come from each head's <c>execution</c> options, then from the
/// catalog's (<c>ml.Ood(options)</c>), then from the MLContext (see <see cref="OodExecutionOptions"/>).
/// </remarks>
public static class OodNegativeMiningCatalog
{
    /// <summary>
    /// NegLabel (Jiang et al., ICLR 2024) with negative labels mined from a lexicon by NegMining: the
    /// <paramref name="count"/> words farthest from the in-distribution classes, nouns and adjectives in proportion.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The image embedding column (known-size vector of Single); required, and not null or blank.</param>
    /// <param name="idLabelNames">The in-distribution class names (candidates equal to one are excluded).</param>
    /// <param name="idLabelEmbeddings">One text embedding per class, as wide as the image embedding.</param>
    /// <param name="words">The candidate words, e.g. <see cref="Lexicon.LoadWordNet"/>.</param>
    /// <param name="wordEmbeddings">One text embedding per candidate, from the same text encoder (e.g. <see cref="ClipTextEncoder.EncodeWords"/>).</param>
    /// <param name="count">How many negative labels to keep; null keeps all. 10,000 in the paper.</param>
    /// <param name="quantile">The quantile of a word's similarities to the classes that ranks it; 1 = the maximum.</param>
    /// <param name="temperature">tau &gt; 0; 0.01 in the paper.</param>
    /// <param name="groups">Groups of negatives to average over; 1 = no grouping.</param>
    /// <param name="shuffleSeed">Shuffle the picked words with this seed before grouping; null keeps their order.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <example>
    /// <code language="csharp"><![CDATA[
    /// var ml = new MLContext();
    /// using var text = new ClipTextEncoder("clip-text.onnx", "vocab.json", "merges.txt");  // the user's CLIP export
    /// string[] classes = ["goldfish", "great white shark", /* ... */];
    /// float[][] classEmbeddings = text.EncodeClassNames(classes);                          // "a photo of a {}."
    /// var words = Lexicon.LoadWordNet();                                                  // apt-get install wordnet-base
    /// float[][] wordEmbeddings = text.EncodeWords(words);                                 // prompts by part of speech
    /// var head = ml.Ood().NegativeLabelsFromLexicon("NegLabelScore", "image_embeds", classes, classEmbeddings,
    ///     words, wordEmbeddings, count: 10_000, groups: 100, shuffleSeed: 0);
    /// Console.WriteLine(string.Join(", ", head.Selection.Words.Take(10).Select(w => w.Text)));
    /// var model = ml.Transforms.ApplyOnnxModel("image_embeds", "pixel_values", "clip-image.onnx").Append(head).Fit(images);
    /// ]]></code>
    /// </example>
    public static NegativeLabelMiningEstimator NegativeLabelsFromLexicon(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        IReadOnlyList<string> idLabelNames, IReadOnlyList<float[]> idLabelEmbeddings, IReadOnlyList<LexiconWord> words, IReadOnlyList<float[]> wordEmbeddings,
        int? count = NegativeLabelMiner.DefaultCount, double quantile = 1, float temperature = 0.01f, int groups = 1, int? shuffleSeed = null,
        OodExecutionOptions? execution = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        return catalog.NegativeLabelsFromLexicon(idLabelNames, idLabelEmbeddings, words, wordEmbeddings, new NegativeLabelMiningOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            Count = count,
            Quantile = quantile,
            Temperature = temperature,
            Groups = groups,
            ShuffleSeed = shuffleSeed,
            Execution = execution,
        });
    }

    /// <summary>NegLabel with negative labels mined from a lexicon, with all settings in one object.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="idLabelNames">The in-distribution class names (candidates equal to one are excluded).</param>
    /// <param name="idLabelEmbeddings">One text embedding per class, as wide as the image embedding.</param>
    /// <param name="words">The candidate words.</param>
    /// <param name="wordEmbeddings">One text embedding per candidate, from the same text encoder.</param>
    /// <param name="options">The settings.</param>
    public static NegativeLabelMiningEstimator NegativeLabelsFromLexicon(this OodCatalog catalog, IReadOnlyList<string> idLabelNames,
        IReadOnlyList<float[]> idLabelEmbeddings, IReadOnlyList<LexiconWord> words, IReadOnlyList<float[]> wordEmbeddings, NegativeLabelMiningOptions options)
        => new(catalog, idLabelNames, idLabelEmbeddings, words, wordEmbeddings, options);
}
