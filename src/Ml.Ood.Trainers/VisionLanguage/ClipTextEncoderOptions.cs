namespace Ml.Ood;

/// <summary>
/// Settings of <see cref="ClipTextEncoder"/>; the defaults are OpenAI CLIP's (context length 77, start and end
/// tokens, padding with id 0 as <c>clip.tokenize</c>) and NegLabel's prompts.
/// </summary>
public sealed class ClipTextEncoderOptions
{
    /// <summary>The number of tokens the text model reads per text, start and end tokens included; 77 for CLIP.</summary>
    public int ContextLength { get; set; } = 77;

    /// <summary>Texts per ONNX Runtime call.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>The prompt of a class name; "{}" is replaced by the name. The authors' "a photo of a {}.".</summary>
    public string ClassTemplate { get; set; } = "a photo of a {}.";

    /// <summary>The prompt of a candidate noun (NegLabel's "a photo of a {}.").</summary>
    public string NounTemplate { get; set; } = "a photo of a {}.";

    /// <summary>The prompt of a candidate adjective (NegLabel's "This is a {} photo").</summary>
    public string AdjectiveTemplate { get; set; } = "This is a {} photo";

    /// <summary>The prompt of a candidate of unspecified part of speech (a plain word list).</summary>
    public string UnspecifiedTemplate { get; set; } = "a photo of a {}.";

    /// <summary>The start-of-text token, which must be in the vocabulary.</summary>
    public string StartToken { get; set; } = "<|startoftext|>";

    /// <summary>The end-of-text token, which must be in the vocabulary.</summary>
    public string EndToken { get; set; } = "<|endoftext|>";

    /// <summary>
    /// The id that pads a text to <see cref="ContextLength"/>: 0 as OpenAI's <c>clip.tokenize</c>; some Hugging Face
    /// exports pad with the end token's id instead. Either way CLIP reads the features at the end token.
    /// </summary>
    public int PadTokenId { get; set; }

    /// <summary>The model's token-id input; null picks the first input not named <c>attention_mask</c>.</summary>
    public string? InputIdsName { get; set; }

    /// <summary>The model's embedding output, shape [batch, width]; null picks the first output.</summary>
    public string? OutputName { get; set; }

    /// <summary>CUDA device to run the text model on (needs Microsoft.ML.OnnxRuntime.Gpu), or null for the CPU.</summary>
    public int? GpuDeviceId { get; set; }

    internal void Validate()
    {
        if (ContextLength < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(ContextLength), ContextLength, OodErrors.ContextLengthTooShort);
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, OodErrors.BatchSizeTooSmall);
        }

        foreach (var (name, template) in new[] { (nameof(ClassTemplate), ClassTemplate), (nameof(NounTemplate), NounTemplate),
            (nameof(AdjectiveTemplate), AdjectiveTemplate), (nameof(UnspecifiedTemplate), UnspecifiedTemplate) })
        {
            if (template is null || !template.Contains("{}", StringComparison.Ordinal))
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.PromptTemplateWithoutSlot, template), name);
            }
        }
    }
}
