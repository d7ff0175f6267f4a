namespace Ml.Ood;

/// <summary>
/// The vision-language heads on <c>ml.Ood()</c>: an image embedding column compared with text embeddings of the
/// in-distribution class names (MCM, Delta-Energy) and of negative labels (NegLabel).
/// </summary>
/// <remarks>
/// The image and text embeddings must come from one vision-language model (e.g. CLIP's image encoder and text
/// encoder, same checkpoint); any model works, as long as the two are as wide. The text embeddings are plain
/// arrays: compute them once (Ml.Ood.Trainers' <c>ClipTextEncoder</c> runs a CLIP text encoder exported to ONNX)
/// and pick negatives with <c>NegativeLabelMiner</c>. Every head writes a <see cref="float"/> column, higher =
/// more likely out-of-distribution. <c>execution</c> is as in <see cref="OodLogitHeadsCatalog"/>.
/// </remarks>
/// <example>
/// <code language="csharp"><![CDATA[
/// var ml = new MLContext();
/// // Image embeddings from the CLIP image encoder exported to ONNX (input "pixel_values", output "image_embeds").
/// var pipeline = ml.Transforms.LoadImages("Image", imageFolder, "Path")
///     .Append(ml.Transforms.ResizeImages("Image", 224, 224))
///     .Append(ml.Transforms.ExtractPixels("pixel_values", "Image", /* CLIP's mean and std */))
///     .Append(ml.Transforms.ApplyOnnxModel("image_embeds", "pixel_values", "clip-image.onnx"))
///     .Append(ml.Ood().MaximumConceptMatching("McmScore", "image_embeds", classEmbeddings))
///     .Append(ml.Ood().NegativeLabels("NegLabelScore", "image_embeds", classEmbeddings, negativeEmbeddings, groups: 100));
/// var model = pipeline.Fit(images);              // no training: Fit builds the heads' ONNX graphs
/// ml.Model.Save(model, images.Schema, "clip-ood.zip");
/// ]]></code>
/// </example>
public static class OodVisionLanguageCatalog
{
    /// <summary>
    /// Maximum concept matching (Ming et al., NeurIPS 2022), negated: -max_i softmax(cos(image, class_i) / tau).
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The image embedding column (known-size vector of Single); required, and not null or blank.</param>
    /// <param name="idLabelEmbeddings">One text embedding per in-distribution class (e.g. of "a photo of a {class}."), all as wide as the image embedding.</param>
    /// <param name="temperature">tau &gt; 0; 1 in the paper.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <exception cref="ArgumentException">No class embeddings, embeddings of different widths, a NaN, infinite or zero embedding.</exception>
    public static MaximumConceptMatchingEstimator MaximumConceptMatching(this OodCatalog catalog, string outputColumnName,
        string inputColumnName, IReadOnlyList<float[]> idLabelEmbeddings, float temperature = 1f, OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, idLabelEmbeddings, temperature, execution);

    /// <summary>
    /// NegLabel (Jiang et al., ICLR 2024), negated: minus the share of the softmax over class and negative labels
    /// that falls on the classes, averaged over <paramref name="groups"/> groups of negatives.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The image embedding column (known-size vector of Single); required, and not null or blank.</param>
    /// <param name="idLabelEmbeddings">One text embedding per in-distribution class, all as wide as the image embedding.</param>
    /// <param name="negativeLabelEmbeddings">Text embeddings of the negative labels (10,000 mined words in the paper), as wide as the class embeddings.</param>
    /// <param name="temperature">tau &gt; 0; 0.01 in the paper.</param>
    /// <param name="groups">Split the negatives into this many equal contiguous groups (the last M mod G are dropped) and average; 1 = no grouping, 100 in the paper's ImageNet results.</param>
    /// <param name="shuffleSeed">Shuffle the negatives with this seed before splitting them; null keeps the given order.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <exception cref="ArgumentException">An empty label set, embeddings of different widths, a NaN, infinite or zero embedding.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="groups"/> outside [1, M], a temperature that is not positive.</exception>
    public static NegativeLabelEstimator NegativeLabels(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        IReadOnlyList<float[]> idLabelEmbeddings, IReadOnlyList<float[]> negativeLabelEmbeddings, float temperature = 0.01f,
        int groups = 1, int? shuffleSeed = null, OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, idLabelEmbeddings, negativeLabelEmbeddings, temperature, groups, shuffleSeed, execution);

    /// <summary>
    /// Delta-Energy (Zhu et al., NeurIPS 2025), negated: -(LSE(s) - LSE(s')) with s = cos(image, class_i) / tau and s' = s with
    /// its largest entry (or <paramref name="loweredCount"/> largest) lowered to <paramref name="loweredCosine"/> / tau. Higher
    /// = more likely out-of-distribution. The exact form is docs/FORMULAS.md's reading of the paper, not confirmed against the
    /// authors' code, hence the options.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The score column to write.</param>
    /// <param name="inputColumnName">The image embedding column (known-size vector of Single); required, and not null or blank.</param>
    /// <param name="idLabelEmbeddings">One text embedding per in-distribution class, all as wide as the image embedding.</param>
    /// <param name="temperature">tau &gt; 0; 0.01 (CLIP's logit scale) by default.</param>
    /// <param name="loweredCosine">The cosine the largest ones are lowered to, in [-1, 1]; 0 by default.</param>
    /// <param name="loweredCount">How many of the largest cosines are lowered, from 1 to the number of classes; 1 by default.</param>
    /// <param name="execution">Device, CPU fallback and block size for this head; null for the catalog's.</param>
    /// <exception cref="ArgumentException">No class embeddings, embeddings of different widths, a NaN, infinite or zero embedding.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A temperature that is not positive, a lowered cosine outside [-1, 1], a
    /// lowered count outside [1, classes].</exception>
    public static DeltaEnergyEstimator DeltaEnergy(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        IReadOnlyList<float[]> idLabelEmbeddings, float temperature = 0.01f, float loweredCosine = 0f, int loweredCount = 1,
        OodExecutionOptions? execution = null)
        => new(catalog, outputColumnName, inputColumnName, idLabelEmbeddings, temperature, loweredCosine, loweredCount, execution);
}
