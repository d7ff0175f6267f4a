using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Ml.Ood.QuickStart;

/// <summary>A row of the image pipeline: an in-memory image, its class and the OOD truth.</summary>
public sealed class ImageRow
{
    /// <summary>The image; 28 x 28 known to ML.NET, as ExtractPixels needs.</summary>
    [ImageType(MnistData.Side, MnistData.Side)]
    public MLImage Image { get; set; } = null!;

    /// <summary>The digit, or -1 for images of no digit class.</summary>
    public float Label { get; set; }

    /// <summary>True for out-of-distribution rows: what the evaluation compares against.</summary>
    public bool IsOodTruth { get; set; }

    /// <summary>Which set the row comes from: 0 = MNIST, 1 = near-OOD, -1 = far-OOD (for filtering).</summary>
    public float Set { get; set; }
}

/// <summary>Turns grey images into ML.NET views of <see cref="ImageRow"/>.</summary>
public static class ImageRows
{
    /// <summary>
    /// A view whose images are created anew on every pass: ExtractPixels disposes the MLImages it reads, so a
    /// materialised list would work for one cursor only.
    /// </summary>
    public static IDataView Load(MLContext ml, params (IReadOnlyList<GreyImage> Images, float Set)[] parts)
        => ml.Data.LoadFromEnumerable(Rows(parts));

    private static IEnumerable<ImageRow> Rows((IReadOnlyList<GreyImage> Images, float Set)[] parts)
    {
        foreach (var (images, set) in parts)
        {
            foreach (var image in images)
            {
                yield return new ImageRow
                {
                    Image = ToImage(image.Pixels),
                    Label = image.Label,
                    IsOodTruth = set != 0,
                    Set = set,
                };
            }
        }
    }

    /// <summary>Grey bytes as a BGRA image with B = G = R, as MLImage decodes a greyscale PNG.</summary>
    private static MLImage ToImage(byte[] grey)
    {
        var bgra = new byte[grey.Length * 4];
        for (int i = 0; i < grey.Length; i++)
        {
            bgra[4 * i] = bgra[4 * i + 1] = bgra[4 * i + 2] = grey[i];
            bgra[4 * i + 3] = 255;
        }
        return MLImage.CreateFromPixels(MnistData.Side, MnistData.Side, MLPixelFormat.Bgra32, bgra);
    }
}
