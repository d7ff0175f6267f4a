using System.Collections.Concurrent;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// A folder in the temporary directory that only the user can read (0700), for files that hold training data (a KNN
/// bank) and so must neither be world-readable nor outlive their owner. While the folder lives, its lock file is held
/// open with an exclusive lock (flock on Linux and macOS, a sharing lock on Windows): that, not a process id, is how a
/// later process's sweep tells a live folder from one whose owner died, even when processes in different PID
/// namespaces (containers) share the temporary directory.
/// </summary>
internal sealed class PrivateFolder : IDisposable
{
    /// <summary>The start of every private folder's name; anonymous files start with it too.</summary>
    internal const string Prefix = "mlood-tmp-";

    /// <summary>The start of a folder's name while it is being made, before its lock is held.</summary>
    internal const string NewPrefix = "mlood-new-";
    internal const string LockFileName = ".lock";

    private static readonly ConcurrentDictionary<PrivateFolder, byte> Live = new();
    private static readonly Lazy<bool> Started = new(StartProcess);

    private readonly Lock _gate = new();
    private FileStream? _lock;

    private PrivateFolder(string path, FileStream lockFile)
    {
        FullName = path;
        _lock = lockFile;
    }

    public string FullName { get; }

    /// <summary>Whether the folder is still there (not yet deleted).</summary>
    public bool Exists
    {
        get
        {
            lock (_gate)
            {
                return _lock is not null;
            }
        }
    }

    /// <summary>Creates a folder; the first call in a process also sweeps the folders of dead processes.</summary>
    /// <remarks>
    /// The folder is made under a name the sweep does not take (<see cref="NewPrefix"/>) and renamed once its lock is held:
    /// a lock file is created and then locked in two steps, and a sweep between them would take the lock of a live folder
    /// and delete it. (Windows cannot rename a folder with an open file; there the sharing lock is taken as the file is created.)
    /// </remarks>
    public static PrivateFolder Create()
    {
        _ = Started.Value;
        var directory = Directory.CreateTempSubdirectory(OperatingSystem.IsWindows() ? Prefix : NewPrefix);
        string path = directory.FullName;
        FileStream? lockFile = null;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            lockFile = new FileStream(Path.Combine(path, LockFileName), options);
            if (!OperatingSystem.IsWindows())
            {
                string live = Path.Combine(Path.GetDirectoryName(path)!, Prefix + directory.Name[NewPrefix.Length..]);
                Directory.Move(path, live);
                path = live;
            }
            var folder = new PrivateFolder(path, lockFile);
            Live.TryAdd(folder, 0);
            return folder;
        }
        catch
        {
            lockFile?.Dispose();
            TemporaryFiles.TryDeleteDirectory(path);
            throw;
        }
    }

    /// <summary>A path inside the folder.</summary>
    public string PathOf(string fileName) => Path.Combine(FullName, fileName);

    /// <summary>
    /// Deletes the folder, or returns false when the system refuses (files still mapped, on Windows): the lock stays
    /// held then, and a later call or the process's exit tries again.
    /// </summary>
    public bool TryDelete()
    {
        lock (_gate)
        {
            if (_lock is null)
            {
                return true;
            }

            if (!TemporaryFiles.TryDeleteContents(FullName, except: LockFileName))
            {
                return false;
            }

            _lock.Dispose();
            _lock = null;
            TemporaryFiles.TryDeleteDirectory(FullName);
        }
        Live.TryRemove(this, out _);
        return true;
    }

    public void Dispose() => TryDelete();

    /// <summary>Folders still alive when the process exits normally are deleted then; kill -9 leaves them to the sweep.</summary>
    private static bool StartProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var folder in Live.Keys)
            {
                folder.TryDelete();
            }
        };
        TemporaryFiles.SweepStaleFolders();
        return true;
    }
}
