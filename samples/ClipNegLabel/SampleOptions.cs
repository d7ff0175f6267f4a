using Ml.Ood;

/// <summary>A problem the user can fix: the sample prints it as one line and exits with <see cref="ExitCode"/>.</summary>
/// <param name="message">What is wrong and with which option.</param>
/// <param name="exitCode">2 for the command line (unknown, missing, not found), 1 for a file of the wrong kind.</param>
internal sealed class SampleException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The sample's arguments, checked before any model is loaded, so that a wrong path fails in one line.</summary>
internal sealed class SampleOptions
{
    private static readonly string[] Required = ["image-encoder", "text-encoder", "vocab", "merges", "images", "classes"];
    private static readonly string[] Optional = ["wordnet", "words"];

    public required string ImageEncoder { get; init; }
    public required string TextEncoder { get; init; }
    public required string Vocab { get; init; }
    public required string Merges { get; init; }
    public required string[] ImageFiles { get; init; }
    public required string[] Classes { get; init; }
    public string? Words { get; init; }
    public required string WordNet { get; init; }

    /// <exception cref="SampleException">An unknown or missing option, a file or folder that does not exist.</exception>
    public static SampleOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : "";
            if (!Required.Contains(name) && !Optional.Contains(name))
            {
                throw new SampleException($"unknown argument '{args[i]}'; run without arguments to see the options.");
            }

            if (i + 1 >= args.Length)
            {
                throw new SampleException($"{args[i]} needs a value.");
            }

            values[name] = args[++i];
        }
        var missing = Required.Where(r => !values.ContainsKey(r)).Select(r => "--" + r).ToList();
        if (missing.Count > 0)
        {
            throw new SampleException($"missing {string.Join(", ", missing)}; run without arguments to see what each one is.");
        }

        string images = ExistingFolder(values, "images", "the folder of images to score");
        var imageFiles = Directory.EnumerateFiles(images)
            .Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase)
                || f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (imageFiles.Length == 0)
        {
            throw new SampleException($"--images {images}: no .jpg or .png file in it.");
        }

        string[] classes = values["classes"].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (classes.Length == 0)
        {
            throw new SampleException("--classes needs at least one class name (comma-separated).");
        }

        string wordNet = values.GetValueOrDefault("wordnet", Lexicon.DebianWordNetDirectory);
        if (!values.ContainsKey("words") && !File.Exists(Path.Combine(wordNet, "data.noun")) && !File.Exists(Path.Combine(wordNet, "index.noun")))
        {
            throw new SampleException($"no WordNet in {wordNet}: apt-get install wordnet-base (Debian), pass --wordnet FOLDER, or pass --words words.txt.");
        }

        return new SampleOptions
        {
            ImageEncoder = ExistingFile(values, "image-encoder", "the ONNX image encoder"),
            TextEncoder = ExistingFile(values, "text-encoder", "the ONNX text encoder"),
            Vocab = ExistingFile(values, "vocab", "the tokenizer's vocab.json"),
            Merges = ExistingFile(values, "merges", "the tokenizer's merges.txt"),
            ImageFiles = imageFiles,
            Classes = classes,
            Words = values.ContainsKey("words") ? ExistingFile(values, "words", "the word list") : null,
            WordNet = wordNet,
        };
    }

    /// <summary>The first line of an exception's message and, when it wraps another, of the innermost one.</summary>
    public static string OneLine(Exception e)
    {
        static string First(string message) => message.Split('\n', 2)[0].Trim();
        var inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        string outer = First(e.Message), root = First(inner.Message);
        bool same = ReferenceEquals(inner, e) || outer.Contains(root[..Math.Min(24, root.Length)], StringComparison.Ordinal);
        return same ? outer : $"{outer}: {root}";
    }

    /// <summary>Runs one step; an error in it is reported with the options whose files the step reads.</summary>
    public static T Stage<T>(string options, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException
            or System.Text.Json.JsonException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            throw new SampleException($"{options}: {OneLine(e)}", exitCode: 1);
        }
    }

    private static string ExistingFile(Dictionary<string, string> values, string name, string what)
        => File.Exists(values[name]) ? values[name] : throw new SampleException($"--{name} {values[name]}: file not found ({what}).");

    private static string ExistingFolder(Dictionary<string, string> values, string name, string what)
        => Directory.Exists(values[name]) ? values[name] : throw new SampleException($"--{name} {values[name]}: folder not found ({what}).");
}
