#region readme-vision-language
using Microsoft.ML;
using Ml.Ood;

#endregion
namespace ReadmeSnippets;

/// <summary>README.md, "Vision-language OOD: MCM and NegLabel".</summary>
internal static class ReadmeVisionLanguage
{
    public static void Run(IDataView images)
    {
        #region readme-vision-language
        var ml = new MLContext();

        // 1. Text embeddings, once: your CLIP text encoder exported to ONNX plus its tokenizer files
        //    (e.g. Hugging Face's CLIPTextModelWithProjection -> text.onnx with output "text_embeds").
        using var text = new ClipTextEncoder("clip-text.onnx", "vocab.json", "merges.txt");
        string[] classes = ["goldfish", "great white shark", "tiger shark"];
        float[][] classEmbeddings = text.EncodeClassNames(classes);        // "a photo of a {}."

        // 2. Candidate negatives: WordNet nouns and adjectives (apt-get install wordnet-base), or a word list.
        var words = Lexicon.LoadWordNet();                                 // /usr/share/wordnet
        float[][] wordEmbeddings = text.EncodeWords(words);                // nouns "a photo of a {}.", adjectives "This is a {} photo"

        // 3. The heads, after the image encoder in the usual pipeline.
        var pipeline = ml.Transforms.ApplyOnnxModel("image_embeds", "pixel_values", "clip-image.onnx")
            .Append(ml.Ood().MaximumConceptMatching("McmScore", "image_embeds", classEmbeddings))
            .Append(ml.Ood().NegativeLabelsFromLexicon("NegLabelScore", "image_embeds", classes, classEmbeddings,
                words, wordEmbeddings, count: 10_000, groups: 100, shuffleSeed: 0));
        var model = pipeline.Fit(images);                                  // NegMining runs here; no image is used to fit
        ml.Model.Save(model, images.Schema, "clip-ood.zip");              // loads anywhere with ml.Model.Load
        #endregion
    }
}
