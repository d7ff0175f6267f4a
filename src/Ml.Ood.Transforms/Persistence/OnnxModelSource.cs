using Microsoft.Win32.SafeHandles;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// A head's serialized ONNX model: in memory for a head just fitted, or in an anonymous temporary file for a head
/// loaded from a .zip, so that a large head (a KNN bank) does not sit in managed memory beside its ONNX Runtime
/// session. The file is gone when the source is disposed or finalized, or when the process ends, whichever is first.
/// </summary>
internal sealed class OnnxModelSource : IDisposable
{
    private readonly byte[]? _bytes;
    private readonly SafeFileHandle? _file;

    private OnnxModelSource(byte[]? bytes, SafeFileHandle? file, long length, string? temporaryPath = null)
    {
        _bytes = bytes;
        _file = file;
        Length = length;
        TemporaryPath = temporaryPath;
    }

    /// <summary>Where the temporary file was created (already unlinked where the system allows it).</summary>
    internal string? TemporaryPath { get; }

    /// <summary>The model's size in bytes.</summary>
    public long Length { get; }

    public static OnnxModelSource FromBytes(byte[] bytes) => new(bytes, null, bytes.Length);

    /// <summary>Copies <paramref name="length"/> bytes of <paramref name="source"/> to a new temporary file.</summary>
    public static OnnxModelSource FromStream(Stream source, long length)
    {
        var file = CreateAnonymousFile(out string path);
        try
        {
            using var output = new HandleStream(file, 0, writable: true);
            Onnx.ProtobufWire.CopyBytes(source, output, length);
            return new OnnxModelSource(null, file, length, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>A fresh read-only stream over the model; streams are independent of each other.</summary>
    public Stream OpenRead()
    {
        if (_bytes is not null)
            return new MemoryStream(_bytes, writable: false);
        ObjectDisposedException.ThrowIf(_file!.IsClosed, this);
        return new HandleStream(_file, Length, writable: false);
    }

    /// <summary>The model's bytes; the array itself for an in-memory model, a copy otherwise.</summary>
    public byte[] ToArray()
    {
        if (_bytes is not null)
            return _bytes;
        using var stream = OpenRead();
        var bytes = new byte[Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public void Dispose() => _file?.Dispose();

    /// <summary>
    /// A file nobody else can open and that needs no clean-up: unlinked at once where open files can be unlinked
    /// (Linux, macOS), and deleted by the system when its handle closes elsewhere (Windows).
    /// </summary>
    private static SafeFileHandle CreateAnonymousFile(out string path)
    {
        path = Path.Combine(Path.GetTempPath(), $"mlood-{Guid.NewGuid():N}.onnx");
        bool windows = OperatingSystem.IsWindows();
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete,
            windows ? FileOptions.DeleteOnClose : FileOptions.None);
        if (!windows)
            File.Delete(path);
        return handle;
    }

    /// <summary>
    /// A stream over a shared file handle that it does not own, reading and writing at its own position
    /// (<see cref="RandomAccess"/>), so that several readers can use one handle at once.
    /// </summary>
    private sealed class HandleStream(SafeFileHandle handle, long length, bool writable) : Stream
    {
        private long _length = length;
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => writable;
        public override long Length => _length;

        public override long Position
        {
            get => _position;
            set => _position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int available = (int)Math.Clamp(_length - _position, 0, buffer.Length);
            int read = RandomAccess.Read(handle, buffer[..available], _position);
            _position += read;
            return read;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!writable)
                throw new NotSupportedException("The model source is read-only.");
            RandomAccess.Write(handle, buffer, _position);
            _position += buffer.Length;
            _length = Math.Max(_length, _position);
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
