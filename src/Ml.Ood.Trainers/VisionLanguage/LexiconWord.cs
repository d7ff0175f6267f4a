namespace Ml.Ood;

/// <summary>The part of speech of a candidate negative label, which picks its prompt and its selection pool.</summary>
public enum PartOfSpeech
{
    /// <summary>Not known (e.g. a plain word list); such words form their own selection pool.</summary>
    Unspecified,

    /// <summary>A noun, prompted as "a photo of a {}." by default.</summary>
    Noun,

    /// <summary>An adjective, prompted as "This is a {} photo" by default.</summary>
    Adjective,
}

/// <summary>A candidate negative label: a word or phrase (WordNet's underscores already turned into spaces) and its part of speech.</summary>
/// <param name="Text">The word or phrase, e.g. "physical entity".</param>
/// <param name="PartOfSpeech">Its part of speech, or <see cref="PartOfSpeech.Unspecified"/>.</param>
public sealed record LexiconWord(string Text, PartOfSpeech PartOfSpeech = PartOfSpeech.Unspecified);
