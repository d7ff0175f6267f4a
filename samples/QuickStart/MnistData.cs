using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.ML.Data;

namespace Ml.Ood.QuickStart;

/// <summary>A 28 x 28 grey image (row-major bytes, 0 = background) with its class, or -1 for none.</summary>
public sealed record GreyImage(byte[] Pixels, int Label);

/// <summary>
/// The quick start's real data, restored by samples/data/fetch.sh into a cache outside git: MNIST
/// (in-distribution), Fashion-MNIST (near-OOD) and 28 x 28 crops of three CC0 textures (far-OOD).
/// </summary>
public sealed class MnistData
{
    public const int Side = 28;

    private MnistData(string folder) => Folder = folder;

    /// <summary>The cache folder: $MLOOD_DATA, else .cache/mlood-data in the repository.</summary>
    public string Folder { get; }

    /// <summary>Finds the cache, running fetch.sh first when it is missing or incomplete.</summary>
    public static MnistData Open()
    {
        string repository = Repository.Root;
        string folder = Environment.GetEnvironmentVariable("MLOOD_DATA") ?? Path.Combine(repository, ".cache", "mlood-data");
        if (!File.Exists(Path.Combine(folder, "MANIFEST.txt")))
        {
            Console.WriteLine("Fetching the data sets (once; see samples/data/README.md)...");
            using var fetch = Process.Start("bash", [Path.Combine(repository, "samples", "data", "fetch.sh")])!;
            fetch.WaitForExit();
            if (fetch.ExitCode != 0)
                throw new InvalidOperationException($"samples/data/fetch.sh failed with exit code {fetch.ExitCode}.");
        }
        return new MnistData(folder);
    }

    public IReadOnlyList<GreyImage> MnistTrain(int count, int seed, Func<int, bool>? keepLabel = null)
        => Sample(ReadIdx("mnist", "train"), count, seed, keepLabel);

    public IReadOnlyList<GreyImage> MnistTest(int count, int seed, Func<int, bool>? keepLabel = null)
        => Sample(ReadIdx("mnist", "t10k"), count, seed, keepLabel);

    /// <summary>Fashion-MNIST test images, with no class (they belong to none of the digits).</summary>
    public IReadOnlyList<GreyImage> FashionTest(int count, int seed)
        => Sample(ReadIdx("fashion-mnist", "t10k"), count, seed, null).Select(i => i with { Label = -1 }).ToList();

    /// <summary>Seeded 28 x 28 crops cycling brick, grass and gravel (512 x 512 greyscale PNGs).</summary>
    public IReadOnlyList<GreyImage> TextureCrops(int count, int seed)
    {
        var textures = new[] { "brick", "grass", "gravel" }.Select(LoadGrey).ToArray();
        var random = new Random(seed);
        var crops = new List<GreyImage>(count);
        for (int i = 0; i < count; i++)
        {
            var (pixels, width, height) = textures[i % textures.Length];
            int top = random.Next(height - Side + 1), left = random.Next(width - Side + 1);
            var crop = new byte[Side * Side];
            for (int y = 0; y < Side; y++)
                pixels.AsSpan((top + y) * width + left, Side).CopyTo(crop.AsSpan(y * Side, Side));
            crops.Add(new GreyImage(crop, -1));
        }
        return crops;
    }

    private (byte[] Pixels, int Width, int Height) LoadGrey(string name)
    {
        using var image = MLImage.CreateFromFile(Path.Combine(Folder, "textures", name + ".png"));
        // MLImage decodes to 4 bytes per pixel with R = G = B for a greyscale PNG; keep one channel.
        var bgra = image.Pixels;
        var grey = new byte[image.Width * image.Height];
        for (int i = 0; i < grey.Length; i++)
            grey[i] = bgra[4 * i + 2];
        return (grey, image.Width, image.Height);
    }

    /// <summary>IDX files: big-endian int32 magic and sizes, then unsigned bytes (LeCun's MNIST format).</summary>
    private List<GreyImage> ReadIdx(string set, string split)
    {
        byte[] images = File.ReadAllBytes(Path.Combine(Folder, set, $"{split}-images-idx3-ubyte"));
        byte[] labels = File.ReadAllBytes(Path.Combine(Folder, set, $"{split}-labels-idx1-ubyte"));
        int count = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4));
        if (BinaryPrimitives.ReadInt32BigEndian(images) != 2051 || BinaryPrimitives.ReadInt32BigEndian(labels) != 2049)
            throw new InvalidDataException($"{set}/{split}: not IDX image and label files.");
        return Enumerable.Range(0, count)
            .Select(i => new GreyImage(images.AsSpan(16 + i * Side * Side, Side * Side).ToArray(), labels[8 + i]))
            .ToList();
    }

    private static List<GreyImage> Sample(List<GreyImage> all, int count, int seed, Func<int, bool>? keepLabel)
    {
        var pool = keepLabel is null ? all : all.Where(i => keepLabel(i.Label)).ToList();
        var random = new Random(seed);
        return pool.OrderBy(_ => random.Next()).Take(count).ToList();
    }
}

/// <summary>Finds the repository root (the folder holding MlOod.sln).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MlOod.sln")))
                    return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("Run the quick start from inside the MlOod repository (MlOod.sln not found).");
    }
}
