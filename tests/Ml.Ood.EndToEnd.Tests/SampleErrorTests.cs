using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// The samples' answer to a missing or wrong file is one line that says what to do, and a non-zero exit code:
/// never a stack trace, which a newcomer cannot act on.
/// </summary>
[TestClass]
public sealed class SampleErrorTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void QuickStartWithAnEmptyDataFolderSaysWhichFilesToPutWhere()
    {
        string empty = NewFolder("empty-data");

        var (code, _, stderr) = SampleRunner.RunExpectingFailure("QuickStart.dll", TimeSpan.FromMinutes(2), "--data", empty);

        Assert.AreEqual(1, code, stderr);
        string line = OneLine(stderr);
        StringAssert.StartsWith(line, "quickstart: ");
        StringAssert.Contains(line, "mnist/train-images-idx3-ubyte");
        StringAssert.Contains(line, Path.Combine(empty, "fashion-mnist"));
    }

    [TestMethod]
    public void QuickStartRejectsAnUnknownArgumentWithItsUsage()
    {
        var (code, _, stderr) = SampleRunner.RunExpectingFailure("QuickStart.dll", TimeSpan.FromMinutes(2), "--bogus");

        Assert.AreEqual(2, code, stderr);
        StringAssert.StartsWith(stderr, "quickstart: Unknown argument '--bogus'.");
        StringAssert.Contains(stderr, "--data DIR");
        Assert.DoesNotContain("   at ", stderr, "no stack trace");
    }

    [TestMethod]
    public void QuickStartRejectsAGpuThatIsNotANumber()
    {
        var (code, _, stderr) = SampleRunner.RunExpectingFailure("QuickStart.dll", TimeSpan.FromMinutes(2), "--gpu", "first");

        Assert.AreEqual(2, code, stderr);
        Assert.AreEqual("quickstart: --gpu takes a CUDA device number (0, 1, ...), not 'first'.", OneLine(stderr));
    }

    [TestMethod]
    public void ClipSampleWithAMissingFileNamesTheOption()
    {
        string folder = ToyClipWithOneImage("clip-missing");

        var (code, _, stderr) = SampleRunner.RunExpectingFailure("ClipNegLabel.dll", TimeSpan.FromMinutes(2),
            "--image-encoder", Path.Combine(folder, "absent.onnx"), "--text-encoder", Path.Combine(folder, "text.onnx"),
            "--vocab", Path.Combine(folder, "vocab.json"), "--merges", Path.Combine(folder, "merges.txt"),
            "--images", folder, "--classes", "cat", "--words", Path.Combine(folder, "merges.txt"));

        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(OneLine(stderr), "clipneglabel: --image-encoder");
        StringAssert.Contains(stderr, "file not found");
    }

    [TestMethod]
    public void ClipSampleWithAFileOfTheWrongKindNamesTheOptionsThatReadIt()
    {
        string folder = ToyClipWithOneImage("clip-wrong");

        // merges.txt given as vocab.json: the tokenizer cannot parse it.
        var (code, _, stderr) = SampleRunner.RunExpectingFailure("ClipNegLabel.dll", TimeSpan.FromMinutes(2),
            "--image-encoder", Path.Combine(folder, "image.onnx"), "--text-encoder", Path.Combine(folder, "text.onnx"),
            "--vocab", Path.Combine(folder, "merges.txt"), "--merges", Path.Combine(folder, "merges.txt"),
            "--images", folder, "--classes", "cat", "--words", Path.Combine(folder, "merges.txt"));

        Assert.AreEqual(1, code, stderr);
        StringAssert.StartsWith(OneLine(stderr), "clipneglabel: --text-encoder, --vocab, --merges: ");
    }

    /// <summary>The stream's only line: one message, no stack trace.</summary>
    private static string OneLine(string stderr)
    {
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.HasCount(1, lines, stderr);
        return lines[0];
    }

    /// <summary>The toy CLIP's files and one 1 x 1 PNG, so that only the file under test is wrong.</summary>
    private string ToyClipWithOneImage(string name)
    {
        string folder = NewFolder(name);
        ToyClip.Write(folder);
        File.WriteAllBytes(Path.Combine(folder, "image.png"), Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="));
        return folder;
    }

    private string NewFolder(string name)
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
