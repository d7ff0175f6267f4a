using System.IO.Compression;
using System.IO.Hashing;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// Reads one .zip entry while computing its CRC-32 and size, and checks both against the .zip's central directory
/// once the entry is read: .NET's ZipArchive does not, so a damaged entry would otherwise load as whatever it decodes to.
/// </summary>
internal sealed class CheckedZipEntry : Stream
{
    private readonly ZipArchiveEntry _entry;
    private readonly Stream _inner;
    private readonly Crc32 _crc = new();
    private long _read;

    public CheckedZipEntry(ZipArchiveEntry entry)
    {
        _entry = entry;
        try
        {
            _inner = entry.Open();
        }
        catch (InvalidDataException e)
        {
            throw Damaged(entry, e.Message, e);
        }
    }

    public string Name => _entry.FullName;

    /// <summary>Reads what is left of the entry, then throws <see cref="InvalidDataException"/> unless its CRC-32 and size match.</summary>
    public void Verify()
    {
        CopyTo(Null);
        if (_read != _entry.Length)
        {
            throw Damaged(_entry, OodErrors.Format(OodErrors.ZipEntrySizeMismatch, _read, _entry.Length));
        }

        uint crc = _crc.GetCurrentHashAsUInt32();
        if (crc != _entry.Crc32)
        {
            throw Damaged(_entry, OodErrors.Format(OodErrors.ZipEntryCrcMismatch, crc, _entry.Crc32));
        }
    }

    /// <summary>Checks that no two entries share a name: the loader would read one and the head restorer the other.</summary>
    public static void CheckUniqueNames(ZipArchive zip)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            if (!names.Add(entry.FullName))
            {
                throw Damaged(entry, OodErrors.ZipEntryDuplicate);
            }
        }
    }

    public static InvalidDataException Damaged(ZipArchiveEntry entry, string why, Exception? inner = null)
        => new(OodErrors.Format(OodErrors.ZipEntryDamaged, entry.FullName, why), inner);

    /// <summary>Whether <paramref name="e"/> is <see cref="Damaged"/>'s, and so names its entry already.</summary>
    public static bool IsDamagedEntry(InvalidDataException e) => e.Message.StartsWith(OodErrors.ModelFileDamagedPrefix, StringComparison.Ordinal);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _inner.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            // A deflate stream that cannot be decoded says so without the entry's name.
            throw Damaged(_entry, e.Message, e);
        }
        _crc.Append(buffer[..n]);
        _read += n;
        return n;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
