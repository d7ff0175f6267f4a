using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML.Data;

namespace Ml.Ood.QuickStart;

/// <summary>A 28 x 28 grey image (row-major bytes, 0 = background) with its class, or -1 for none.</summary>
public sealed record GreyImage(byte[] Pixels, int Label);

/// <summary>
/// The quick start's real data: MNIST (in-distribution), Fashion-MNIST (near-OOD) and 28 x 28 crops of three CC0
/// textures (far-OOD), from the cache samples/data/fetch.sh fills, or from the user's own folder of IDX files.
/// </summary>
public sealed class MnistData
{
    public const int Side = 28;

    private readonly Dictionary<string, List<GreyImage>> _files = [];

    private MnistData(string folder) => Folder = folder;

    /// <summary>The data folder: --data DIR, else $MLOOD_DATA, else .cache/mlood-data in the repository.</summary>
    public string Folder { get; }

    /// <summary>True when the far-OOD textures are present; without them the quick start skips far-OOD.</summary>
    public bool HasTextures => DataFolder.TextureFiles.All(f => File.Exists(Path.Combine(Folder, f)));

    /// <summary>Finds the data (see <see cref="DataFolder"/>), running fetch.sh first when the cache is incomplete.</summary>
    /// <param name="dataOption">The folder given with --data, or null for the cache.</param>
    /// <exception cref="QuickStartException">A tool or a file is missing; the message says what to do.</exception>
    public static MnistData Open(string? dataOption = null) => new(DataFolder.Resolve(dataOption));

    public IReadOnlyList<GreyImage> MnistTrain(int count, int seed, Func<int, bool>? keepLabel = null)
        => Sample(ReadIdx("mnist", "train"), count, seed, keepLabel);

    public IReadOnlyList<GreyImage> MnistTest(int count, int seed, Func<int, bool>? keepLabel = null)
        => Sample(ReadIdx("mnist", "t10k"), count, seed, keepLabel);

    /// <summary>Fashion-MNIST test images, with no class (they belong to none of the digits).</summary>
    public IReadOnlyList<GreyImage> FashionTest(int count, int seed)
        => Sample(ReadIdx("fashion-mnist", "t10k"), count, seed, null).Select(i => i with { Label = -1 }).ToList();

    /// <summary>Seeded 28 x 28 crops cycling brick, grass and gravel (512 x 512 greyscale PNGs); none without the textures.</summary>
    public IReadOnlyList<GreyImage> TextureCrops(int count, int seed)
    {
        if (!HasTextures)
        {
            return [];
        }

        var textures = new[] { "brick", "grass", "gravel" }.Select(LoadGrey).ToArray();
        var random = new Random(seed);
        var crops = new List<GreyImage>(count);
        for (int i = 0; i < count; i++)
        {
            var (pixels, width, height) = textures[i % textures.Length];
            int top = random.Next(height - Side + 1), left = random.Next(width - Side + 1);
            var crop = new byte[Side * Side];
            for (int y = 0; y < Side; y++)
            {
                pixels.AsSpan((top + y) * width + left, Side).CopyTo(crop.AsSpan(y * Side, Side));
            }

            crops.Add(new GreyImage(crop, -1));
        }
        return crops;
    }

    private (byte[] Pixels, int Width, int Height) LoadGrey(string name)
    {
        string path = Path.Combine(Folder, "textures", name + ".png");
        using var image = MLImage.CreateFromFile(path);
        if (image.Width < Side || image.Height < Side)
        {
            throw new QuickStartException($"{path} is {image.Width} x {image.Height}; the far-OOD crops need images of at least {Side} x {Side}.");
        }
        // MLImage decodes to 4 bytes per pixel with R = G = B for a greyscale PNG; keep one channel.
        var bgra = image.Pixels;
        var grey = new byte[image.Width * image.Height];
        for (int i = 0; i < grey.Length; i++)
        {
            grey[i] = bgra[4 * i + 2];
        }

        return (grey, image.Width, image.Height);
    }

    /// <summary>IDX files: big-endian int32 magic and sizes, then unsigned bytes (LeCun's MNIST format), plain or gzipped.</summary>
    private List<GreyImage> ReadIdx(string set, string split)
    {
        // Each file is read (and gunzipped) once: the steps sample the same files several times.
        lock (_files)
        {
            if (!_files.TryGetValue($"{set}/{split}", out var all))
            {
                _files[$"{set}/{split}"] = all = ReadIdxFiles(set, split);
            }

            return all;
        }
    }

    private List<GreyImage> ReadIdxFiles(string set, string split)
    {
        byte[] images = ReadData($"{set}/{split}-images-idx3-ubyte");
        byte[] labels = ReadData($"{set}/{split}-labels-idx1-ubyte");
        int count = images.Length >= 16 ? BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4)) : -1;
        bool valid = count >= 0 && labels.Length >= 8
            && BinaryPrimitives.ReadInt32BigEndian(images) == 2051 && BinaryPrimitives.ReadInt32BigEndian(labels) == 2049
            && images.Length >= 16 + (long)count * Side * Side && labels.Length >= 8 + count;
        if (!valid)
        {
            throw new QuickStartException($"{Path.Combine(Folder, set)}: the {split} files are not complete IDX image and label files of 28 x 28 images; replace them (samples/data/README.md).");
        }

        return Enumerable.Range(0, count)
            .Select(i => new GreyImage(images.AsSpan(16 + i * Side * Side, Side * Side).ToArray(), labels[8 + i]))
            .ToList();
    }

    private byte[] ReadData(string relative)
    {
        string path = DataFolder.Find(Folder, relative)
            ?? throw new QuickStartException($"{Path.Combine(Folder, relative)} is missing (plain or .gz); see samples/data/README.md.");
        if (!path.EndsWith(".gz", StringComparison.Ordinal))
        {
            return File.ReadAllBytes(path);
        }

        try
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var bytes = new MemoryStream();
            gzip.CopyTo(bytes);
            return bytes.ToArray();
        }
        catch (InvalidDataException)
        {
            throw new QuickStartException($"{path} is not a valid gzip file; replace it (samples/data/README.md).");
        }
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
                {
                    return dir.FullName;
                }
            }
        }
        throw new QuickStartException("Run the quick start from inside the MlOod repository (MlOod.sln not found above the current folder or the program).");
    }
}
