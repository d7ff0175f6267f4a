namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// Temporary files for models too large to keep in managed memory. They hold training data (a KNN bank), so they
/// are private to the user, and they must not outlive the process, even one that crashes.
/// </summary>
internal static class TemporaryFiles
{
    /// <summary>A folder with no lock file is left alone this long: its creator may be about to take its lock.</summary>
    internal static readonly TimeSpan UnlockedGrace = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A read-write file that no path leads to: unlinked at once where open files can be unlinked (Linux, macOS),
    /// deleted by the system when its handle closes elsewhere (Windows).
    /// </summary>
    public static FileStream CreateAnonymous(string extension)
    {
        string path = Path.Combine(Path.GetTempPath(), $"{PrivateFolder.Prefix}{Guid.NewGuid():N}.{extension}");
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
    /// Deletes the private folders whose owner is gone: their lock file can be locked (no live process holds it), or
    /// they have none and are older than <see cref="UnlockedGrace"/>. Runs once per process, before its first folder.
    /// Only MlOod's own names are considered: <see cref="PrivateFolder.Prefix"/>, and <c>mlood-PID-*</c> of MlOod versions
    /// that told folders apart by process id.
    /// </summary>
    internal static int SweepStaleFolders()
    {
        int swept = 0;
        try
        {
            foreach (var folder in new DirectoryInfo(Path.GetTempPath()).EnumerateDirectories("mlood-*"))
            {
                if (IsMlOodName(folder.Name) && TrySweep(folder))
                {
                    swept++;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Sweeping is a courtesy; a temp folder we cannot list is no reason to fail.
        }
        return swept;
    }

    private static bool IsMlOodName(string name)
    {
        // A folder still being made has no held lock yet; it has no lock file to take either, so only its age lets the
        // sweep delete it (its maker died in the middle).
        if (name.StartsWith(PrivateFolder.Prefix, StringComparison.Ordinal) || name.StartsWith(PrivateFolder.NewPrefix, StringComparison.Ordinal))
        {
            return true;
        }
        // mlood-<process id>-<random>, as earlier versions named their folders.
        int dash = name.IndexOf('-', "mlood-".Length);
        return dash > "mlood-".Length && name["mlood-".Length..dash].All(char.IsAsciiDigit);
    }

    private static bool TrySweep(DirectoryInfo folder)
    {
        if (folder.Name.StartsWith(PrivateFolder.NewPrefix, StringComparison.Ordinal))
        {
            return DateTime.UtcNow - folder.LastWriteTimeUtc > UnlockedGrace && TryDeleteDirectory(folder.FullName);
        }

        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(folder.FullName, PrivateFolder.LockFileName), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            bool old = DateTime.UtcNow - folder.LastWriteTimeUtc > UnlockedGrace;
            return old && TryDeleteDirectory(folder.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Locked by a live process (or another user's folder): not ours to touch.
            return false;
        }
        using (lockFile)
        {
            if (!TryDeleteContents(folder.FullName, except: PrivateFolder.LockFileName))
            {
                return false;
            }
        }
        return TryDeleteDirectory(folder.FullName);
    }

    /// <summary>Deletes every file and folder inside <paramref name="path"/> but <paramref name="except"/>.</summary>
    internal static bool TryDeleteContents(string path, string except)
    {
        try
        {
            var directory = new DirectoryInfo(path);
            if (!directory.Exists)
            {
                return true;
            }

            foreach (var entry in directory.EnumerateFileSystemInfos())
            {
                if (entry.Name == except)
                {
                    continue;
                }

                if (entry is DirectoryInfo child)
                {
                    child.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Deletes a folder and what it holds, or returns false when the system refuses.</summary>
    internal static bool TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
