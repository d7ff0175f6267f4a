// MlOod with a CLIP-like model: score images by MCM (ID class names only) and NegLabel (ID class names plus
// negative words mined from WordNet), zero-shot: nothing is trained on images.
// No CLIP weights ship with MlOod or can be fetched here: pass your own ONNX exports and tokenizer files
// (README.md beside this file: what each file must be, how to run it, what it prints).
//
// dotnet run -c Release --project samples/ClipNegLabel -- \
//     --image-encoder clip-image.onnx   # input "pixel_values" [batch,3,224,224], output "image_embeds" (projected)
//     --text-encoder clip-text.onnx     # input "input_ids" [batch,77] (int64; "attention_mask" if it has one), output "text_embeds"
//     --vocab vocab.json --merges merges.txt   # the checkpoint's BPE tokenizer files
//     --images <folder of .jpg/.png>    # the images to score
//     --classes "goldfish,great white shark,tiger shark"   # the in-distribution class names
//     [--wordnet /usr/share/wordnet]    # apt-get install wordnet-base; or --words words.txt (one per line)
// Export example (Hugging Face optimum): optimum-cli export onnx --model openai/clip-vit-base-patch32 clip/
// then split or use the text_model / vision_model with projection. The image encoder must include CLIP's
// per-channel normalisation, or you add it: ExtractPixels here only scales pixels to [0, 1].
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Ml.Ood;

if (args.Length == 0)
{
    Console.WriteLine("""
        MlOod CLIP sample: zero-shot OOD scores (MCM, NegLabel) for a folder of images.
        Pass your own CLIP files (none ship with MlOod; samples/ClipNegLabel/README.md says how to make them):
          --image-encoder PATH  ONNX image encoder: input pixel_values [batch,3,224,224] in [0,1] after its own
                                normalisation, output image_embeds (the projected embedding)
          --text-encoder PATH   ONNX text encoder: input input_ids [batch,77], output text_embeds
          --vocab PATH --merges PATH   the checkpoint's BPE files (vocab.json, merges.txt)
          --images FOLDER       images to score (.jpg, .png)
          --classes LIST        in-distribution class names, comma-separated
          --wordnet FOLDER      WordNet dictionary (default /usr/share/wordnet; apt-get install wordnet-base)
          --words PATH          or a plain word list, one word per line
        """);
    return 0;
}

try
{
    Run(SampleOptions.Parse(args));
    return 0;
}
catch (SampleException e)
{
    Console.Error.WriteLine($"clipneglabel: {e.Message}");
    return e.ExitCode;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException
    or InvalidOperationException or System.Text.Json.JsonException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
{
    // A file that exists but is not what the sample needs (a wrong ONNX model, a broken vocab.json, embeddings of
    // different widths): one line naming the problem, since the stack trace would only point into the libraries.
    Console.Error.WriteLine($"clipneglabel: {SampleOptions.OneLine(e)}");
    return 1;
}

static void Run(SampleOptions options)
{
    var ml = new MLContext(seed: 0);
    string[] classes = options.Classes;

    // 1. Text side, once: class-name and candidate-word embeddings from the CLIP text encoder.
    using var text = SampleOptions.Stage("--text-encoder, --vocab, --merges", () => new ClipTextEncoder(options.TextEncoder, options.Vocab, options.Merges));
    float[][] classEmbeddings = SampleOptions.Stage("--text-encoder", () => text.EncodeClassNames(classes));
    var words = options.Words is string list ? Lexicon.LoadWordList(list) : Lexicon.LoadWordNet(options.WordNet);
    Console.WriteLine($"Embedding {words.Count:N0} candidate words (NegMining keeps the 10,000 farthest from the classes)...");
    float[][] wordEmbeddings = text.EncodeWords(words);

    // 2. Image side: the usual ML.NET image pipeline, then the two heads on the image embedding.
    var images = ml.Data.LoadFromEnumerable(options.ImageFiles.Select(f => new ImagePath { Path = f }));
    // ML.NET's ApplyOnnxModel opens the model when the pipeline is built, so building and fitting are one step here.
    var model = SampleOptions.Stage("--image-encoder", () => ml.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(ImagePath.Path))
        .Append(ml.Transforms.ResizeImages("Image", 224, 224, cropAnchor: ImageResizingEstimator.Anchor.Center, resizing: ImageResizingEstimator.ResizingKind.IsoCrop))
        .Append(ml.Transforms.ExtractPixels("pixel_values", "Image", scaleImage: 1f / 255))
        .Append(ml.Transforms.ApplyOnnxModel("image_embeds", "pixel_values", options.ImageEncoder))
        .Append(ml.Ood().MaximumConceptMatching("McmScore", "image_embeds", classEmbeddings))
        .Append(ml.Ood().NegativeLabelsFromLexicon("NegLabelScore", "image_embeds", classes, classEmbeddings, words, wordEmbeddings,
            count: 10_000, groups: 100, shuffleSeed: 0))
        .Fit(images));
    var scored = model.Transform(images);

    // 3. OODD for vision-language models: MCM's confidence against a dictionary of the least confident images seen so far.
    //    Its score depends on the images before it: the folder is one stream, in the order listed (a test-time head, kept
    //    out of the saved pipeline below so that plain ml.Model.Load reads it; docs/TEST-TIME-HEADS.md section 7).
    var oodd = ml.Ood().OoddVisionLanguage(new OoddVisionLanguageOptions { ImageColumnName = "image_embeds", IdLabelEmbeddings = classEmbeddings })
        .Fit(scored);
    var ooddScores = oodd.Transform(scored).GetColumn<float>("OoddScore").ToArray();

    // 4. Higher = more likely out-of-distribution, for every score (OODD: NaN while fewer than 5 images were seen).
    var paths = scored.GetColumn<string>(nameof(ImagePath.Path)).ToArray();
    var mcm = scored.GetColumn<float>("McmScore").ToArray();
    var negLabel = scored.GetColumn<float>("NegLabelScore").ToArray();
    Console.WriteLine($"{"image",-40} {"MCM",8} {"NegLabel",9} {"OODD",8}");
    for (int i = 0; i < paths.Length; i++)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(paths[i]),-40} {mcm[i],8:F4} {negLabel[i],9:F4} {ooddScores[i],8:F4}"));
    }

    ml.Model.Save(model, images.Schema, "clip-ood.zip");
    Console.WriteLine("Saved clip-ood.zip (load it anywhere with ml.Model.Load, or ml.Ood().Load for batched heads).");
}

/// <summary>A row of the image list.</summary>
internal sealed class ImagePath
{
    public string Path { get; set; } = "";
}
