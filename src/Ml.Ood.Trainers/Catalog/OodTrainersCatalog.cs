using Ml.Ood.Trainers;

namespace Ml.Ood;

/// <summary>The MlOod heads that learn from in-distribution data, on <c>ml.Ood()</c>.</summary>
/// <remarks>
/// <c>gpuDeviceId</c> and <c>fallbackToCpu</c> default to the MLContext's, as in ML.NET's <c>ApplyOnnxModel</c>;
/// <c>blockSize</c> is the number of rows scored per ONNX Runtime call (default 256).
/// </remarks>
public static class OodTrainersCatalog
{
    /// <summary>KNN distance to a bank of in-distribution embeddings (Sun et al., ICML 2022).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The embedding column (known-size vector of Single); required, and not null or blank.</param>
    /// <param name="k">The neighbour rank whose distance is the score (1 = nearest); 50 in the paper.</param>
    /// <param name="bankFraction">Keep each training row with this probability; null keeps all.</param>
    /// <param name="maxBankRows">Keep at most this many training rows (uniform sample); null for no limit.</param>
    /// <param name="seed">Sampling seed; null uses the MLContext's.</param>
    /// <param name="gpuDeviceId">CUDA device, or null for the context's default.</param>
    /// <param name="fallbackToCpu">Run on the CPU if the GPU fails; null for the context's default.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    public static KnnEstimator Knn(this OodCatalog catalog, string outputColumnName, string inputColumnName, int k = 50,
        double? bankFraction = null, int? maxBankRows = null, int? seed = null,
        int? gpuDeviceId = null, bool? fallbackToCpu = null, int? blockSize = null)
    {
        // Checked here so that the error names this method's parameter, not the options property.
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        return catalog.Knn(new KnnOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            K = k,
            BankFraction = bankFraction,
            MaxBankRows = maxBankRows,
            Seed = seed,
            GpuDeviceId = gpuDeviceId,
            FallbackToCpu = fallbackToCpu,
            BlockSize = blockSize,
        });
    }

    /// <summary>KNN distance to a bank of in-distribution embeddings, with all settings in one object.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="options">The settings.</param>
    public static KnnEstimator Knn(this OodCatalog catalog, KnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new KnnEstimator(catalog, options);
    }

    /// <summary>Smallest Mahalanobis distance to the class means under a shared covariance (Lee et al., NeurIPS 2018).</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The embedding column (known-size vector of Single); required, and not null or blank.</param>
    /// <param name="labelColumnName">The class label column: key, or whole numbers as Single, Double or Int32.</param>
    /// <param name="gpuDeviceId">CUDA device, or null for the context's default.</param>
    /// <param name="fallbackToCpu">Run on the CPU if the GPU fails; null for the context's default.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    public static MahalanobisEstimator Mahalanobis(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        string labelColumnName = "Label", int? gpuDeviceId = null, bool? fallbackToCpu = null, int? blockSize = null)
        => new(catalog, outputColumnName, inputColumnName, labelColumnName, gpuDeviceId, fallbackToCpu, blockSize);

    /// <summary>The "unknown" decision: true when the score is NaN, infinite or above the threshold that keeps
    /// <paramref name="idTruePositiveRate"/> of the in-distribution rows it is fitted on.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The Boolean column to write (true = out-of-distribution).</param>
    /// <param name="inputColumnName">The OOD score column (Single, higher = more likely OOD).</param>
    /// <param name="idTruePositiveRate">The fraction of ID rows kept as in-distribution; 0.95 in the literature.</param>
    /// <param name="isOodColumnName">A Boolean ground-truth column (true = OOD) whose true rows are skipped when
    /// calibrating, so a mixed validation view can be used; null when every row is in-distribution. MlOod's own
    /// decision columns are refused.</param>
    /// <param name="gpuDeviceId">CUDA device, or null for the context's default.</param>
    /// <param name="fallbackToCpu">Run on the CPU if the GPU fails; null for the context's default.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
    /// <remarks>Read the fitted threshold with <c>transformer.ThresholdSettings.Threshold</c>.</remarks>
    public static ThresholdEstimator Threshold(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        double idTruePositiveRate = 0.95, string? isOodColumnName = null, int? gpuDeviceId = null, bool? fallbackToCpu = null, int? blockSize = null)
        => new(catalog, outputColumnName, inputColumnName, idTruePositiveRate, isOodColumnName, gpuDeviceId, fallbackToCpu, blockSize);

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
    /// <param name="gpuDeviceId">CUDA device, or null for the context's default.</param>
    /// <param name="fallbackToCpu">Run on the CPU if the GPU fails; null for the context's default.</param>
    /// <param name="blockSize">Rows per ONNX Runtime call; null for 256.</param>
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
        int? gpuDeviceId = null, bool? fallbackToCpu = null, int? blockSize = null)
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
            GpuDeviceId = gpuDeviceId,
            FallbackToCpu = fallbackToCpu,
            BlockSize = blockSize,
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
