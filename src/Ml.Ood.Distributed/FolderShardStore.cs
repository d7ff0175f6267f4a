namespace Ml.Ood;

/// <summary>A shard store in one folder that the fitting process and every silo can read.</summary>
public sealed class FolderShardStore : IShardStore
{
    /// <summary>A store in <paramref name="folder"/>, created if missing.</summary>
    public FolderShardStore(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The folder's full path.</summary>
    public string Folder { get; }

    /// <inheritdoc/>
    public void Write(string name, ReadOnlySpan<byte> content)
    {
        string path = PathOf(name);
        // Written beside and moved into place, so that a silo never opens a half-written shard.
        string partial = path + ".partial";
        using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(content);
        }

        File.Move(partial, path, overwrite: true);
    }

    /// <inheritdoc/>
    public string GetLocalPath(string name)
    {
        string path = PathOf(name);
        return File.Exists(path) ? path : throw new FileNotFoundException(OodErrors.Format(OodErrors.ShardFileMissing, name, Folder), path);
    }

    /// <inheritdoc/>
    public override string ToString() => $"folder '{Folder}'";

    private string PathOf(string name)
    {
        if (string.IsNullOrEmpty(name) || name.StartsWith('.') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.ShardNameInvalid, name), nameof(name));
        }

        return Path.Combine(Folder, name);
    }
}
