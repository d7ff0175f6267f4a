using System.Diagnostics;
using System.Globalization;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// Temporary files for models too large to keep in managed memory. They hold training data (a KNN bank), so they
/// are private to the user, and they must not outlive the process, even one that crashes.
/// </summary>
internal static class TemporaryFiles
{
    private const string Prefix = "mlood-";
    private static readonly Lazy<bool> StaleFoldersSwept = new(SweepStaleFolders);

    /// <summary>
    /// A read-write file that no path leads to: unlinked at once where open files can be unlinked (Linux, macOS),
    /// deleted by the system when its handle closes elsewhere (Windows).
    /// </summary>
    public static FileStream CreateAnonymous(string extension)
    {
        string path = Path.Combine(Path.GetTempPath(), $"{Prefix}{Guid.NewGuid():N}.{extension}");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 1 << 16,
        };
        if (OperatingSystem.IsWindows())
        {
            options.Options = FileOptions.DeleteOnClose;
            return new FileStream(path, options);
        }
        options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var file = new FileStream(path, options);
        File.Delete(path);
        return file;
    }

    /// <summary>
    /// A new folder only the user can read, named after this process so that a later process removes it if this
    /// one dies before it does.
    /// </summary>
    public static DirectoryInfo CreatePrivateFolder()
    {
        _ = StaleFoldersSwept.Value;
        return Directory.CreateTempSubdirectory($"{Prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-");
    }

    /// <summary>Deletes the folder, or returns false when the system refuses (files still mapped, on Windows).</summary>
    public static bool TryDelete(DirectoryInfo folder)
    {
        try
        {
            folder.Refresh();
            if (folder.Exists)
                folder.Delete(recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Deletes the folders of processes that are gone; run once per process, before its first folder.</summary>
    internal static bool SweepStaleFolders()
    {
        try
        {
            foreach (var folder in new DirectoryInfo(Path.GetTempPath()).EnumerateDirectories($"{Prefix}*-*"))
            {
                string pid = folder.Name[Prefix.Length..folder.Name.IndexOf('-', Prefix.Length)];
                if (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int id) && !IsRunning(id))
                    TryDelete(folder);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Sweeping is a courtesy; a temp folder we cannot list is no reason to fail.
        }
        return true;
    }

    private static bool IsRunning(int processId)
    {
        if (processId == Environment.ProcessId)
            return true;
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
