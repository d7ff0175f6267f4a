using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// MlOod's private temporary folders: 0700, alive exactly as long as their lock is held, and swept by a later process
/// only when no live process holds that lock (issue 10, defect 6: a sweep by process id deleted the live folders of
/// processes in other PID namespaces).
/// </summary>
[TestClass]
public sealed class PrivateFolderTests
{
    [TestMethod]
    public void AFolderIsPrivateAndGoneWhenDeleted()
    {
        var folder = PrivateFolder.Create();
        Assert.IsTrue(Directory.Exists(folder.FullName));
        if (!OperatingSystem.IsWindows())
        {
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, new DirectoryInfo(folder.FullName).UnixFileMode);
        }

        File.WriteAllText(folder.PathOf("data"), "bank");
        Assert.IsTrue(folder.TryDelete());
        Assert.IsFalse(Directory.Exists(folder.FullName));
    }

    [TestMethod]
    public void TheSweepLeavesAFolderWhoseLockIsHeldWhateverItsName()
    {
        // A folder named like an old-style one of a process id that does not exist here, as a process in another PID
        // namespace would name it, but whose lock is held: it is live.
        string path = Path.Combine(Path.GetTempPath(), $"{PrivateFolder.Prefix}{int.MaxValue - 7}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "head.onnx.data"), "bank");
        using (var held = new FileStream(Path.Combine(path, PrivateFolder.LockFileName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            TemporaryFiles.SweepStaleFolders();
            Assert.IsTrue(File.Exists(Path.Combine(path, "head.onnx.data")), "a folder whose lock is held is live");
        }
        TemporaryFiles.SweepStaleFolders();
        Assert.IsFalse(Directory.Exists(path), "once its lock is free, the folder's owner is gone: it is swept");
    }

    [TestMethod]
    public void TheSweepLeavesFoldersThatAreNotMlOods()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlood-ci.{Guid.NewGuid():N}");
        var directory = Directory.CreateDirectory(path);
        directory.LastWriteTimeUtc = DateTime.UtcNow - TemporaryFiles.UnlockedGrace - TimeSpan.FromMinutes(1);
        try
        {
            TemporaryFiles.SweepStaleFolders();
            Assert.IsTrue(Directory.Exists(path), "a folder named otherwise, however old, is someone else's");
        }
        finally
        {
            directory.Delete();
        }
    }

    [TestMethod]
    public void TheSweepLeavesAnUnlockedFolderUntilItIsOld()
    {
        string path = Path.Combine(Path.GetTempPath(), $"{PrivateFolder.Prefix}{Guid.NewGuid():N}");
        var directory = Directory.CreateDirectory(path);
        TemporaryFiles.SweepStaleFolders();
        Assert.IsTrue(directory.Exists, "a folder without a lock may be one whose creator is about to lock it");
        directory.LastWriteTimeUtc = DateTime.UtcNow - TemporaryFiles.UnlockedGrace - TimeSpan.FromMinutes(1);
        TemporaryFiles.SweepStaleFolders();
        Assert.IsFalse(Directory.Exists(path), "an old folder without a lock belongs to no one");
    }

    [TestMethod]
    public void AFolderBeingMadeIsLeftAloneUntilItIsOld()
    {
        // A folder is made under a name the sweep does not lock-test and renamed once its lock is held: between creating
        // the lock file and locking it, a sweep could otherwise take the lock of a live folder and delete it.
        string path = Path.Combine(Path.GetTempPath(), $"{PrivateFolder.NewPrefix}{Guid.NewGuid():N}");
        var directory = Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, PrivateFolder.LockFileName), "");
        TemporaryFiles.SweepStaleFolders();
        Assert.IsTrue(directory.Exists, "its lock file is not locked yet, but its maker is alive");
        directory.LastWriteTimeUtc = DateTime.UtcNow - TemporaryFiles.UnlockedGrace - TimeSpan.FromMinutes(1);
        TemporaryFiles.SweepStaleFolders();
        Assert.IsFalse(Directory.Exists(path), "an old folder still being made lost its maker");
    }

    [TestMethod]
    public void ANewFolderIsNamedAsLiveOnlyOnceItsLockIsHeld()
    {
        var folder = PrivateFolder.Create();
        try
        {
            StringAssert.StartsWith(Path.GetFileName(folder.FullName), PrivateFolder.Prefix);
            Assert.ThrowsExactly<IOException>(() => new FileStream(folder.PathOf(PrivateFolder.LockFileName), FileMode.Open, FileAccess.ReadWrite, FileShare.None));
        }
        finally
        {
            folder.TryDelete();
        }
    }

    [TestMethod]
    public void ALiveFolderOfThisProcessSurvivesTheSweep()
    {
        var folder = PrivateFolder.Create();
        try
        {
            TemporaryFiles.SweepStaleFolders();
            Assert.IsTrue(Directory.Exists(folder.FullName));
        }
        finally
        {
            folder.TryDelete();
        }
    }
}
