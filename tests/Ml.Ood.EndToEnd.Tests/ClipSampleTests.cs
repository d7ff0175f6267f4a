using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.EndToEnd.Tests;

/// <summary>
/// samples/ClipNegLabel as a user runs it, with a toy CLIP (tests/Shared/ToyClip.cs) in place of real weights,
/// which cannot be fetched here: it must tokenize, embed, mine negatives, score every image and save the model.
/// </summary>
[TestClass]
public sealed class ClipSampleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void WithoutArgumentsTheSampleSaysWhatToPass()
    {
        string output = SampleRunner.Run("ClipNegLabel.dll", TimeSpan.FromMinutes(2));
        StringAssert.Contains(output, "--image-encoder PATH");
        StringAssert.Contains(output, "--text-encoder PATH");
        StringAssert.Contains(output, "none ship with MlOod");
    }

    [TestMethod]
    public void WithAToyClipTheSampleScoresEveryImage()
    {
        string folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"clip-sample-{Guid.NewGuid():N}");
        ToyClip.Write(folder);
        string images = Path.Combine(folder, "images");
        Directory.CreateDirectory(images);
        var random = new Random(3);
        for (int i = 0; i < 6; i++)
        {
            var bgra = new byte[32 * 32 * 4];
            random.NextBytes(bgra);
            using var image = MLImage.CreateFromPixels(32, 32, MLPixelFormat.Bgra32, bgra);
            image.Save(Path.Combine(images, $"image-{i}.png"));
        }
        string words = Path.Combine(folder, "words.txt");
        File.WriteAllLines(words, ["dog", "tree", "car", "sky", "house", "road", "fish", "bird", "rock", "cat", "photo"]);

        string output = SampleRunner.Run("ClipNegLabel.dll", TimeSpan.FromMinutes(3), folder,
            "--image-encoder", Path.Combine(folder, "image.onnx"), "--text-encoder", Path.Combine(folder, "text.onnx"),
            "--vocab", Path.Combine(folder, "vocab.json"), "--merges", Path.Combine(folder, "merges.txt"),
            "--images", images, "--classes", "cat,photo", "--words", words);

        var rows = Regex.Matches(output, @"^image-\d\.png\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*$", RegexOptions.Multiline);
        Assert.HasCount(6, rows, output);
        foreach (Match row in rows)
        {
            double mcm = double.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture);
            double negLabel = double.Parse(row.Groups[2].Value, CultureInfo.InvariantCulture);
            // Both are negated probabilities: MCM in [-1, -1/2] for 2 classes, NegLabel in [-1, 0].
            Assert.IsTrue(mcm is >= -1 and <= -0.5, $"MCM {mcm}");
            Assert.IsTrue(negLabel is >= -1 and <= 0, $"NegLabel {negLabel}");
            // OODD (vision-language) = s_ood - MCM's confidence = s_ood + the MCM score, where s_ood is a cosine: all 6
            // images are in the first update batch, so each has 6 held rows and a finite 5th-largest cosine.
            double oodd = double.Parse(row.Groups[3].Value, CultureInfo.InvariantCulture);
            Assert.IsTrue(oodd - mcm is >= -1.0002 and <= 1.0002, $"OODD {oodd} - MCM {mcm} is not a cosine");
        }
        Assert.IsTrue(File.Exists(Path.Combine(folder, "clip-ood.zip")), "the sample saves its model");
    }
}
