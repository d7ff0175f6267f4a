namespace Ml.Ood;

/// <summary>AdaNeg on <c>ml.Ood()</c>: NegLabel's inputs, a test-time head that adapts while it scores.</summary>
/// <example>
/// <code language="csharp"><![CDATA[
/// var ml = new MLContext();
/// var adaNeg = ml.Ood().AdaNeg("AdaNegScore", "image_embeds", classEmbeddings, negativeEmbeddings,
///     new AdaNegOptions { UpdateBatch = 256 });                      // L = 10, thres 0.5, gap 0.5, lambda 0.1, G = 5
/// var model = adaNeg.Fit(images);                                    // no training: the starting memories are the labels
/// var scores = model.Transform(stream);                              // rows scored in cursor order, from the starting state
/// using var scorer = ml.Ood().CreateStreamingScorer(model);          // serving: one live state, thread-safe
/// ]]></code>
/// </example>
public static class OodAdaNegCatalog
{
    /// <summary>
    /// AdaNeg (Zhang et al., NeurIPS 2024), negated so that higher means more likely out-of-distribution: NegLabel's grouped
    /// confidence on per-label memories of confident test images, plus lambda times NegLabel's own. Its scores depend on
    /// the rows scored before (<see cref="OodTestTimeTransformer"/>).
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The image embedding column (known-size vector of Single); required, and not null or blank.</param>
    /// <param name="idLabelEmbeddings">One text embedding per in-distribution class, all as wide as the image embedding.</param>
    /// <param name="negativeLabelEmbeddings">Text embeddings of the negative labels (10,000 mined words in the paper; NegMining
    /// picks them), as wide as the class embeddings.</param>
    /// <param name="options">L, thresholds, gap, lambda, groups, tau and the update batch; null for the official defaults.</param>
    /// <param name="execution">Device, CPU fallback and block size for the head's ONNX graph; null for the catalog's.</param>
    /// <exception cref="ArgumentException">An empty label set, embeddings of different widths, a NaN, infinite or zero embedding
    /// (naming <paramref name="idLabelEmbeddings"/> or <paramref name="negativeLabelEmbeddings"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option outside its range, named as <c>AdaNegOptions.Name</c>.</exception>
    public static AdaNegEstimator AdaNeg(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        IReadOnlyList<float[]> idLabelEmbeddings, IReadOnlyList<float[]> negativeLabelEmbeddings, AdaNegOptions? options = null,
        OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, idLabelEmbeddings, negativeLabelEmbeddings, options, execution);
}
