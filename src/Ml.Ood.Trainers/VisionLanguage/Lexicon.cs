using System.Globalization;

namespace Ml.Ood;

/// <summary>
/// Loads the candidate words NegMining chooses negative labels from: WordNet's nouns and adjectives, as NegLabel
/// uses (Jiang et al., ICLR 2024, section 4.1), or a plain word list.
/// </summary>
public static class Lexicon
{
    /// <summary>Where Debian's <c>wordnet-base</c> package installs WordNet 3.0.</summary>
    public const string DebianWordNetDirectory = "/usr/share/wordnet";

    /// <summary>
    /// The lexicographer categories left out by default: people, quantities, groups and relational adjectives,
    /// the <c>txt_exclude</c> default of the NegLabel line of code (NegRefine's <c>create_negs.py</c>), whose
    /// words name no visual concept of their own.
    /// </summary>
    public static IReadOnlyList<string> DefaultWordNetExclusions { get; } = ["noun.person", "noun.quantity", "noun.group", "adj.pert"];

    // WordNet 3.0's lexicographer file numbers for nouns and adjectives (wndb(5), lexnames(5)); verbs and adverbs are not read.
    private static readonly string[] LexicographerFiles =
    [
        "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact", "noun.attribute",
        "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling", "noun.food", "noun.group",
        "noun.location", "noun.motive", "noun.object", "noun.person", "noun.phenomenon", "noun.plant", "noun.possession",
        "noun.process", "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
    ];

    /// <summary>
    /// Reads WordNet's nouns and adjectives from <c>data.noun</c> and <c>data.adj</c> (every word of every synset,
    /// with its category), or, when those are absent, the lemmas of <c>index.noun</c> and <c>index.adj</c> (no
    /// categories, so no exclusions). Underscores become spaces and adjective markers such as "(a)" are dropped;
    /// a word is kept once, at its first occurrence ignoring case, nouns before adjectives (as the authors'
    /// de-duplication across files), so a word that is both is a noun.
    /// </summary>
    /// <param name="directory">The WordNet dictionary folder; <see cref="DebianWordNetDirectory"/> by default.</param>
    /// <param name="excludedCategories">Lexicographer categories to leave out; null for <see cref="DefaultWordNetExclusions"/>, empty for none.</param>
    /// <exception cref="FileNotFoundException">Neither data.noun nor index.noun is in <paramref name="directory"/>.</exception>
    public static IReadOnlyList<LexiconWord> LoadWordNet(string directory = DebianWordNetDirectory, IEnumerable<string>? excludedCategories = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var excluded = new HashSet<string>(excludedCategories ?? DefaultWordNetExclusions, StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var words = new List<LexiconWord>();
        foreach (var (suffix, tag) in new[] { ("noun", PartOfSpeech.Noun), ("adj", PartOfSpeech.Adjective) })
        {
            string data = Path.Combine(directory, "data." + suffix), index = Path.Combine(directory, "index." + suffix);
            var lemmas = File.Exists(data) ? DataWords(data, excluded)
                : File.Exists(index) ? IndexLemmas(index)
                : throw new FileNotFoundException(OodErrors.Format(OodErrors.WordNetNotFound, suffix, directory), data);
            foreach (string lemma in lemmas)
            {
                string text = lemma.Replace('_', ' ');
                if (seen.Add(text))
                {
                    words.Add(new LexiconWord(text, tag));
                }
            }
        }
        return words;
    }

    /// <summary>
    /// Reads a plain word list: one word or phrase per line; blank lines and lines starting with '#' are skipped,
    /// repeats (ignoring case) kept once.
    /// </summary>
    /// <param name="path">The text file (UTF-8).</param>
    /// <param name="partOfSpeech">The part of speech of every word, which picks its prompt; unspecified by default.</param>
    public static IReadOnlyList<LexiconWord> LoadWordList(string path, PartOfSpeech partOfSpeech = PartOfSpeech.Unspecified)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return File.ReadLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#') && seen.Add(line))
            .Select(line => new LexiconWord(line, partOfSpeech))
            .ToList();
    }

    /// <summary>
    /// The words of a data.* file: "offset lex_filenum ss_type w_cnt word lex_id [word lex_id ...] ...", w_cnt in
    /// hexadecimal; lines starting with spaces are the licence header.
    /// </summary>
    private static IEnumerable<string> DataWords(string path, HashSet<string> excluded)
    {
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == ' ')
            {
                continue;
            }

            var fields = line.Split(' ');
            int file = int.Parse(fields[1], CultureInfo.InvariantCulture);
            string category = file < LexicographerFiles.Length ? LexicographerFiles[file] : file == 44 ? "adj.ppl" : $"lexfile.{file}";
            if (excluded.Contains(category))
            {
                continue;
            }

            int wordCount = int.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            for (int w = 0; w < wordCount; w++)
            {
                yield return WithoutAdjectiveMarker(fields[4 + 2 * w]);
            }
        }
    }

    /// <summary>The lemmas of an index.* file: the first field of every line that is not the licence header.</summary>
    private static IEnumerable<string> IndexLemmas(string path)
        => File.ReadLines(path).Where(line => line.Length > 0 && line[0] != ' ').Select(line => line.Split(' ')[0]);

    /// <summary>Adjectives in data.adj may end with a syntactic marker: (a), (p) or (ip).</summary>
    private static string WithoutAdjectiveMarker(string word)
    {
        int open = word.IndexOf('(');
        return open > 0 && word.EndsWith(')') ? word[..open] : word;
    }
}
