using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// ClipTextEncoder on a toy CLIP (tests/Shared/ToyClip.cs): a byte-level BPE vocabulary and a text model built
/// with the graph builder (token embedding table, position weights, sum). Expected token ids are written out by hand;
/// expected embeddings come from running the same ONNX file directly with ONNX Runtime.
/// </summary>
[TestClass]
public sealed class ClipTextEncoderTests
{
    private const int Width = ToyClip.Width;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void TokenizesAsClipWithStartEndAndPadding()
    {
        var (folder, vocab) = WriteToyClip();
        using var encoder = Open(folder);
        int[] expected = [vocab["<|startoftext|>"], vocab["a</w>"], vocab["photo</w>"], vocab["o"], vocab["f</w>"], vocab["a</w>"],
            vocab["cat</w>"], vocab[".</w>"], vocab["<|endoftext|>"]];
        var ids = encoder.Tokenize("A  photo of a\tCAT.");
        Assert.HasCount(77, ids);
        CollectionAssert.AreEqual(expected, ids.Take(9).ToArray(), "lower case, whitespace collapsed, merges applied, '.' its own word");
        Assert.IsTrue(ids.Skip(9).All(id => id == 0), "padded with 0 as clip.tokenize");

        // "This is a cat photo": no merge for t-h, so 'this' stays t h i s</w>.
        int[] adjective = [vocab["<|startoftext|>"], vocab["t"], vocab["h"], vocab["i"], vocab["s</w>"], vocab["i"], vocab["s</w>"],
            vocab["a</w>"], vocab["cat</w>"], vocab["photo</w>"], vocab["<|endoftext|>"]];
        CollectionAssert.AreEqual(adjective, encoder.Tokenize("This is a cat photo").Take(11).ToArray());
    }

    [TestMethod]
    public void LongTextsAreTruncatedKeepingTheEndToken()
    {
        var (folder, vocab) = WriteToyClip();
        using var encoder = Open(folder, new ClipTextEncoderOptions { ContextLength = 5 });
        CollectionAssert.AreEqual(
            new[] { vocab["<|startoftext|>"], vocab["a</w>"], vocab["photo</w>"], vocab["o"], vocab["<|endoftext|>"] },
            encoder.Tokenize("a photo of a cat."));
    }

    [TestMethod]
    public void EmbeddingsEqualADirectOnnxRuntimeRunNormalised()
    {
        var (folder, vocab) = WriteToyClip();
        string[] texts = ["a photo of a cat.", "This is a cat photo", "cat", "photo of a photo", "a"];
        using var encoder = Open(folder, new ClipTextEncoderOptions { BatchSize = 2 });
        var actual = encoder.Encode(texts);

        var ids = texts.Select(encoder.Tokenize).ToArray();
        CollectionAssert.AreEqual(new[] { vocab["<|startoftext|>"], vocab["cat</w>"], vocab["<|endoftext|>"], 0 }, ids[2].Take(4).ToArray());
        var direct = RunDirectly(Path.Combine(folder, "text.onnx"), ids);
        for (int r = 0; r < texts.Length; r++)
        {
            double norm = Math.Sqrt(direct[r].Sum(v => (double)v * v));
            for (int d = 0; d < Width; d++)
            {
                Assert.AreEqual(direct[r][d] / norm, actual[r][d], 1e-6, $"text {r}, dimension {d}");
            }
        }
    }

    [TestMethod]
    public void PromptsFollowThePartOfSpeech()
    {
        var (folder, _) = WriteToyClip();
        using var encoder = Open(folder);
        var words = encoder.EncodeWords([new("cat", PartOfSpeech.Noun), new("cat", PartOfSpeech.Adjective), new("cat")]);
        var expected = encoder.Encode(["a photo of a cat.", "This is a cat photo", "a photo of a cat."]);
        for (int i = 0; i < 3; i++)
        {
            CollectionAssert.AreEqual(expected[i], words[i], $"word {i}");
        }
        // A batch of one against a batch of three: ONNX Runtime may sum in another order, so within float rounding.
        var className = encoder.EncodeClassNames(["cat"])[0];
        for (int d = 0; d < Width; d++)
        {
            Assert.AreEqual(expected[0][d], className[d], 1e-6);
        }
    }

    [TestMethod]
    public void BadSettingsAndFilesGiveClearErrors()
    {
        var (folder, _) = WriteToyClip();
        var noBraces = Assert.ThrowsExactly<ArgumentException>(() => Open(folder, new ClipTextEncoderOptions { NounTemplate = "a photo" }));
        StringAssert.Contains(noBraces.Message, "has no '{}' for the word");
        var noToken = Assert.ThrowsExactly<ArgumentException>(() => Open(folder, new ClipTextEncoderOptions { StartToken = "<s>" }));
        StringAssert.Contains(noToken.Message, "has no '<s>' token");
        var noInput = Assert.ThrowsExactly<ArgumentException>(() => Open(folder, new ClipTextEncoderOptions { InputIdsName = "tokens" }));
        StringAssert.Contains(noInput.Message, "The text model has no input 'tokens'; its inputs: input_ids");
    }

    private static ClipTextEncoder Open(string folder, ClipTextEncoderOptions? options = null)
        => new(Path.Combine(folder, "text.onnx"), Path.Combine(folder, "vocab.json"), Path.Combine(folder, "merges.txt"), options);

    private (string Folder, Dictionary<string, int> Vocab) WriteToyClip()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"toy-clip-{Guid.NewGuid():N}");
        return (folder, ToyClip.Write(folder));
    }

    private static float[][] RunDirectly(string modelPath, int[][] ids)
    {
        using var session = new InferenceSession(modelPath);
        using var input = OrtValue.CreateTensorValueFromMemory(ids.SelectMany(r => r.Select(i => (long)i)).ToArray(), [ids.Length, 77]);
        using var outputs = session.Run(new RunOptions(), ["input_ids"], [input], ["text_embeds"]);
        var values = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        return Enumerable.Range(0, ids.Length).Select(r => values.Skip(r * Width).Take(Width).ToArray()).ToArray();
    }
}
