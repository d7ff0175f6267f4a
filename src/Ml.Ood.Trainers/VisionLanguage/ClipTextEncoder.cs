using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Ml.Ood;

/// <summary>
/// Text embeddings from a CLIP-style text encoder exported to ONNX, with CLIP's byte-pair tokenizer built by
/// Microsoft.ML.Tokenizers from the model's <c>vocab.json</c> and <c>merges.txt</c>: the label embeddings that
/// MCM, NegLabel and NegMining compare image embeddings with.
/// </summary>
/// <remarks>
/// Pass the files of one checkpoint: its text encoder in ONNX (input: token ids [batch, 77] as int64 or int32,
/// optionally <c>attention_mask</c>; output: the projected text embedding [batch, width], e.g. Hugging Face's
/// <c>text_embeds</c>), and its tokenizer's <c>vocab.json</c> and <c>merges.txt</c>. Tokenisation follows
/// OpenAI CLIP's <c>simple_tokenizer.py</c>: whitespace collapsed, lower case, CLIP's split pattern, byte-level
/// BPE with "&lt;/w&gt;" ending a word, the start and end tokens around the text, truncated to the context
/// length with the end token kept, padded with <see cref="ClipTextEncoderOptions.PadTokenId"/>. CLIP's ftfy and
/// HTML-unescape clean-up is not applied: WordNet lemmas and class names do not need it. Outputs are
/// L2-normalised. Texts are encoded in batches of <see cref="ClipTextEncoderOptions.BatchSize"/>.
/// </remarks>
public sealed class ClipTextEncoder : IDisposable
{
    // CLIP's pre-tokenisation pattern (simple_tokenizer.py), matched case-insensitively as there.
    private static readonly Regex ClipPattern = new(
        @"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+",
        RegexOptions.IgnoreCase | RegexOptions.Compiled);

    private static readonly Regex Whitespace = new(@"\s+", RegexOptions.Compiled);

    private readonly ClipTextEncoderOptions _options;
    private readonly BpeTokenizer _tokenizer;
    private readonly InferenceSession _session;
    private readonly string _idsName;
    private readonly string? _maskName;
    private readonly string _outputName;
    private readonly bool _int32Ids;
    private readonly int _startId;
    private readonly int _endId;

    /// <summary>Loads the tokenizer files and the ONNX text model.</summary>
    /// <param name="modelPath">The text encoder, an .onnx file.</param>
    /// <param name="vocabPath">The tokenizer's <c>vocab.json</c> (token to id).</param>
    /// <param name="mergesPath">The tokenizer's <c>merges.txt</c> (one merge per line, after an optional "#version" line).</param>
    /// <param name="options">Context length, prompts, special tokens, input and output names; null for CLIP's defaults.</param>
    public ClipTextEncoder(string modelPath, string vocabPath, string mergesPath, ClipTextEncoderOptions? options = null)
    {
        _options = options ?? new ClipTextEncoderOptions();
        _options.Validate();
        var vocabulary = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabPath))
            ?? throw new ArgumentException(OodErrors.Format(OodErrors.VocabularyEmpty, vocabPath), nameof(vocabPath));
        _startId = SpecialId(vocabulary, _options.StartToken, vocabPath);
        _endId = SpecialId(vocabulary, _options.EndToken, vocabPath);
        var special = new Dictionary<string, int> { [_options.StartToken] = _startId, [_options.EndToken] = _endId };
        _tokenizer = BpeTokenizer.Create(new BpeOptions(vocabPath, mergesPath)
        {
            PreTokenizer = new RegexPreTokenizer(ClipPattern, special),
            Normalizer = new LowerCaseNormalizer(),
            ByteLevel = true,
            EndOfWordSuffix = "</w>",
            SpecialTokens = special,
        });

        using var sessionOptions = new SessionOptions();
        if (_options.GpuDeviceId is int gpu)
        {
            sessionOptions.AppendExecutionProvider_CUDA(gpu);
        }

        _session = new InferenceSession(modelPath, sessionOptions);
        _maskName = _session.InputNames.FirstOrDefault(n => n == "attention_mask");
        _idsName = _options.InputIdsName ?? _session.InputNames.First(n => n != "attention_mask");
        _outputName = _options.OutputName ?? _session.OutputNames[0];
        if (!_session.InputMetadata.TryGetValue(_idsName, out var idsMetadata))
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.TextModelInputMissing, _idsName, string.Join(", ", _session.InputNames)), nameof(options));
        }

        _int32Ids = idsMetadata.ElementType == typeof(int);
    }

    /// <summary>The options in use.</summary>
    public ClipTextEncoderOptions Options => _options;

    /// <summary>A text's token ids as the model reads them: start, BPE tokens, end, padding; <see cref="ClipTextEncoderOptions.ContextLength"/> long.</summary>
    /// <param name="text">The text, e.g. "a photo of a goldfish.".</param>
    public int[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string clean = Whitespace.Replace(text, " ").Trim();
        var tokens = _tokenizer.EncodeToIds(clean);
        int length = _options.ContextLength;
        var ids = new int[length];
        Array.Fill(ids, _options.PadTokenId);
        ids[0] = _startId;
        // clip.tokenize(truncate=True): keep what fits and end with the end token.
        int kept = Math.Min(tokens.Count, length - 2);
        for (int i = 0; i < kept; i++)
        {
            ids[1 + i] = tokens[i];
        }

        ids[1 + kept] = _endId;
        return ids;
    }

    /// <summary>Embeds texts as they are (no prompt); one L2-normalised embedding per text.</summary>
    /// <param name="texts">The texts.</param>
    public float[][] Encode(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var embeddings = new float[texts.Count][];
        for (int start = 0; start < texts.Count; start += _options.BatchSize)
        {
            int count = Math.Min(_options.BatchSize, texts.Count - start);
            var batch = RunBatch(Enumerable.Range(start, count).Select(i => Tokenize(texts[i])).ToArray());
            batch.CopyTo(embeddings, start);
        }
        return embeddings;
    }

    /// <summary>Embeds class names with <see cref="ClipTextEncoderOptions.ClassTemplate"/> ("a photo of a {}.").</summary>
    /// <param name="classNames">The in-distribution class names.</param>
    public float[][] EncodeClassNames(IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        return Encode(classNames.Select(n => Prompt(_options.ClassTemplate, n)).ToArray());
    }

    /// <summary>Embeds candidate words, each with the prompt of its part of speech (NegLabel's defaults).</summary>
    /// <param name="words">The candidates, e.g. from <see cref="Lexicon.LoadWordNet"/>.</param>
    public float[][] EncodeWords(IReadOnlyList<LexiconWord> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        return Encode(words.Select(w => Prompt(w.PartOfSpeech switch
        {
            PartOfSpeech.Noun => _options.NounTemplate,
            PartOfSpeech.Adjective => _options.AdjectiveTemplate,
            _ => _options.UnspecifiedTemplate,
        }, w.Text)).ToArray());
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private static string Prompt(string template, string word) => template.Replace("{}", word, StringComparison.Ordinal);

    private float[][] RunBatch(int[][] ids)
    {
        int rows = ids.Length, length = _options.ContextLength;
        long[] shape = [rows, length];
        var flat = ids.SelectMany(r => r).ToArray();
        var inputs = new List<OrtValue>
        {
            _int32Ids ? OrtValue.CreateTensorValueFromMemory(flat, shape) : OrtValue.CreateTensorValueFromMemory(flat.Select(i => (long)i).ToArray(), shape),
        };
        var names = new List<string> { _idsName };
        if (_maskName is not null)
        {
            // 1 up to and including the end token, 0 on the padding.
            var mask = ids.SelectMany(r => r.Select((_, j) => j <= Array.IndexOf(r, _endId, 1) ? 1L : 0L)).ToArray();
            inputs.Add(OrtValue.CreateTensorValueFromMemory(mask, shape));
            names.Add(_maskName);
        }
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, names, inputs, [_outputName]);
            var outputShape = outputs[0].GetTensorTypeAndShape().Shape;
            if (outputShape.Length != 2 || outputShape[0] != rows)
            {
                throw new InvalidOperationException(OodErrors.Format(OodErrors.TextModelOutputShape, _outputName, string.Join(", ", outputShape)));
            }

            return Normalised(outputs[0].GetTensorDataAsSpan<float>(), rows, (int)outputShape[1]);
        }
        finally
        {
            inputs.ForEach(v => v.Dispose());
        }
    }

    private static float[][] Normalised(ReadOnlySpan<float> values, int rows, int width)
    {
        var result = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * width, width);
            double norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(row));
            result[r] = new float[width];
            for (int d = 0; d < width; d++)
            {
                result[r][d] = norm > 0 ? (float)(row[d] / norm) : 0f;
            }
        }
        return result;
    }

    private static int SpecialId(Dictionary<string, int> vocabulary, string token, string vocabPath)
        => vocabulary.TryGetValue(token, out int id) ? id
            : throw new ArgumentException(OodErrors.Format(OodErrors.VocabularyTokenMissing, vocabPath, token), nameof(vocabPath));
}
