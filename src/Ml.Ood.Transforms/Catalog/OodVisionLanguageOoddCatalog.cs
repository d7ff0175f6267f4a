namespace Ml.Ood;

/// <summary>OODD for vision-language models on <c>ml.Ood()</c>: s_id is the MCM or the NegLabel confidence.</summary>
/// <example>
/// <code language="csharp"><![CDATA[
/// var ml = new MLContext();
/// var oodd = ml.Ood().OoddVisionLanguage(new OoddVisionLanguageOptions
/// {
///     ImageColumnName = "image_embeds",
///     IdLabelEmbeddings = classEmbeddings,          // MCM by default: K2 = 5, q = 2,048, B = 64, T = 1
/// });
/// using var model = oodd.Fit(images);                // no training: the dictionary starts empty
/// var scores = model.Transform(stream);              // rows scored in cursor order, from the starting state
/// using var scorer = ml.Ood().CreateStreamingScorer(model);   // serving: one live state, thread-safe
/// ]]></code>
/// </example>
public static class OodVisionLanguageOoddCatalog
{
    /// <summary>
    /// OODD's test-time dictionary (Yang et al., CVPR 2025) with s_id = the MCM or the NegLabel confidence of the image
    /// embedding (the official CLIP variants, zxk1212/OODD); score = s_ood - s_id, higher = OOD. Its scores depend on the
    /// rows scored before (<see cref="OodTestTimeTransformer"/>). The KNN-based OODD is <c>ml.Ood().Oodd</c> (Ml.Ood.Trainers).
    /// Source: src/Ml.Ood.Transforms/VisionLanguage/OoddVisionLanguageHead.cs.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="options">The settings (defaults: the official code's, K2 = 5, q = 2,048, B = 64).</param>
    /// <exception cref="ArgumentException">Missing or unused negative labels, an empty label set, embeddings of different widths,
    /// a NaN, infinite or zero embedding.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting outside its range, named as <c>OoddVisionLanguageOptions.Name</c>.</exception>
    public static OoddVisionLanguageEstimator OoddVisionLanguage(this OodCatalog catalog, OoddVisionLanguageOptions options)
        => new(catalog, options);
}
