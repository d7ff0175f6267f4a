namespace Ml.Ood;

// Fitting (Ml.Ood.Trainers): the training rows, the class Gaussians, the KNN bank, NegMining and the CLIP text encoder.
// Messages thrown as ArgumentOutOfRangeException with the value omit it, since that exception appends it.
public static partial class OodErrors
{
    /// <summary>A training embedding with a NaN or infinite value. {0}: column, {1}: row.</summary>
    public const string EmbeddingNotFinite = "Column '{0}' has a NaN or infinite value in row {1}; OOD heads need finite embeddings.";

    /// <summary>A class label below 0 in a Mahalanobis fit. {0}: label column, {1}: the label.</summary>
    public const string NegativeClassLabel = "Column '{0}' has the negative class label {1}.";

    /// <summary>A Mahalanobis fit on a view with no rows. {0}: column.</summary>
    public const string GaussiansNoRows = "Column '{0}' has no rows: the Gaussians need training data.";

    /// <summary>A class with no training row. {0}: label column, {1}: the class, {2}: the largest class.</summary>
    public const string ClassWithoutRows =
        "Class {1} of column '{0}' has no training rows; labels must be 0..{2} (or keys) with every class present.";

    /// <summary>NegativeLabelMiner.Select's count below 1 (the options' message is <see cref="NegativeCountTooSmall"/>).</summary>
    public const string MinerCountTooSmall = "The number of negative labels to keep must be at least 1.";

    /// <summary>NegativeLabelMiner.Select's quantile outside [0, 1] (the options' message is <see cref="QuantileOutOfRange"/>).</summary>
    public const string MinerQuantileOutOfRange = "The quantile must be in [0, 1].";

    /// <summary>ID label names and embeddings of different counts. {0}: names, {1}: embeddings.</summary>
    public const string IdLabelNamesCountMismatch = "There are {0} ID label names but {1} ID label embeddings; pass one name per embedding.";

    /// <summary>Candidate words and embeddings of different counts. {0}: words, {1}: embeddings.</summary>
    public const string CandidateEmbeddingsCountMismatch =
        "There are {0} candidate words but {1} candidate embeddings; pass one embedding per word.";

    /// <summary>A candidate word without text. {0}: its index.</summary>
    public const string CandidateWithoutText = "Candidate {0} has no text.";

    /// <summary>WordNet's files missing (a <see cref="FileNotFoundException"/>). {0}: "noun" or "adj", {1}: the directory.</summary>
    public const string WordNetNotFound = "WordNet's data.{0} or index.{0} is not in '{1}'. On Debian: apt-get install wordnet-base.";

    /// <summary>A CLIP context length below 2.</summary>
    public const string ContextLengthTooShort = "The context length must hold at least the start and end tokens.";

    /// <summary>A text-encoding batch size below 1.</summary>
    public const string BatchSizeTooSmall = "The batch size must be at least 1.";

    /// <summary>A prompt template without the word's place. {0}: the template.</summary>
    public const string PromptTemplateWithoutSlot = "The prompt template '{0}' has no '{{}}' for the word.";

    /// <summary>A vocabulary file that holds no vocabulary. {0}: its path.</summary>
    public const string VocabularyEmpty = "'{0}' holds no vocabulary.";

    /// <summary>A vocabulary without a special token. {0}: its path, {1}: the token.</summary>
    public const string VocabularyTokenMissing = "The vocabulary '{0}' has no '{1}' token; set ClipTextEncoderOptions.StartToken / EndToken.";

    /// <summary>A text model without the token-id input. {0}: the input, {1}: the model's inputs joined by ", ".</summary>
    public const string TextModelInputMissing = "The text model has no input '{0}'; its inputs: {1}.";

    /// <summary>
    /// A text model whose output is not [batch, width] (an <see cref="InvalidOperationException"/>). {0}: the output,
    /// {1}: its shape joined by ", ".
    /// </summary>
    public const string TextModelOutputShape =
        "The text model's output '{0}' has shape [{1}]; a [batch, width] embedding is expected (e.g. Hugging Face's text_embeds).";
}
