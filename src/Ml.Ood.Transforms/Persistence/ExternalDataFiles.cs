using System.Globalization;
using Google.Protobuf;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// A large head in ONNX's external-data form, in a private temporary folder: a small model file and a data file
/// with its initializers. ONNX Runtime loads it by path and maps the data file, so a session holds one copy of the
/// head's state (a KNN bank) where a session created from bytes holds three (the caller's bytes, the parsed
/// protobuf, the initializer). The same data file serves saving and export, read back through an open handle.
/// </summary>
/// <remarks>
/// Once a session has mapped the files, <see cref="ReleasePaths"/> unlinks them where the system allows it (Linux,
/// macOS): nothing is left to clean up, even after a crash. Elsewhere they go on <see cref="Dispose"/>, or with a
/// later process's sweep of folders whose process has died.
/// </remarks>
internal sealed class ExternalDataFiles : IDisposable
{
    /// <summary>Models from this size on are kept and loaded in external-data form.</summary>
    public const long MinModelBytes = 16L << 20;

    private const string ModelFileName = "head.onnx";
    /// <summary>The data file's name, as the model's external tensors name it.</summary>
    internal const string DataFileName = "head.onnx.data";

    /// <summary>Initializers from this size on go to the data file.</summary>
    private const long MinInitializerBytes = 1L << 20;

    private readonly byte[] _model;
    private readonly FileStream _data;
    private PrivateFolder? _folder;

    private ExternalDataFiles(PrivateFolder folder, byte[] model, FileStream data, bool large = false)
    {
        _folder = folder;
        _model = model;
        _data = data;
        IsLarge = large;
    }

    /// <summary>
    /// Whether the head's state cannot be inline (over ONNX's 2 GB limit): it is saved as two .zip entries of its own
    /// (<see cref="LargeHeadEntry"/>) and never read back as one message.
    /// </summary>
    public bool IsLarge { get; }

    /// <summary>The data file's size.</summary>
    public long DataLength => _data.Length;

    /// <summary>The size of the model with its initializers inline.</summary>
    public long InlineLength => _model.Length + _data.Length;

    /// <summary>Whether the files can still be reached by path.</summary>
    public bool HasPaths => _folder is not null;

    /// <summary>Writes the <paramref name="length"/> bytes of an inline model at the stream's position in external-data form.</summary>
    public static ExternalDataFiles Create(Stream inlineModel, long length)
    {
        var folder = PrivateFolder.Create();
        try
        {
            string modelPath = folder.PathOf(ModelFileName);
            OnnxExternalData.Write(inlineModel, length, modelPath, DataFileName, MinInitializerBytes);
            var data = new FileStream(folder.PathOf(DataFileName), FileMode.Open, FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete);
            return new ExternalDataFiles(folder, File.ReadAllBytes(modelPath), data);
        }
        catch
        {
            folder.TryDelete();
            throw;
        }
    }

    /// <summary>
    /// The files of a head built with its bank as external data: <paramref name="model"/> (its tensors refer to
    /// <see cref="DataFileName"/>) is written beside the bank's data file, in the bank's folder, which this takes over.
    /// </summary>
    public static ExternalDataFiles FromBank(ExternalBank bank, byte[] model)
        => FromFolder(bank.Folder, model);

    /// <summary>Takes over <paramref name="folder"/>, which holds <see cref="DataFileName"/>, and writes the model beside it.</summary>
    public static ExternalDataFiles FromFolder(PrivateFolder folder, byte[] model)
    {
        try
        {
            File.WriteAllBytes(folder.PathOf(ModelFileName), model);
            var data = new FileStream(folder.PathOf(DataFileName), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new ExternalDataFiles(folder, model, data, large: true);
        }
        catch
        {
            folder.TryDelete();
            throw;
        }
    }

    /// <summary>Copies the data file, by offset, to <paramref name="destination"/>.</summary>
    public void CopyDataTo(Stream destination)
    {
        ObjectDisposedException.ThrowIf(_data.SafeFileHandle.IsClosed, this);
        RandomAccessCopy(destination);
    }

    /// <summary>The model file's path for ONNX Runtime; the files are written again if they were unlinked.</summary>
    public string ModelPath()
    {
        ObjectDisposedException.ThrowIf(_data.SafeFileHandle.IsClosed, this);
        if (_folder is null)
        {
            var folder = PrivateFolder.Create();
            try
            {
                File.WriteAllBytes(folder.PathOf(ModelFileName), _model);
                using var copy = File.Create(folder.PathOf(DataFileName));
                RandomAccessCopy(copy);
            }
            catch
            {
                folder.TryDelete();
                throw;
            }
            _folder = folder;
        }
        return _folder.PathOf(ModelFileName);
    }

    /// <summary>Unlinks the files once a session has mapped them; false where the system keeps mapped files (Windows).</summary>
    public bool ReleasePaths()
    {
        if (_folder is null || !_folder.TryDelete())
        {
            return _folder is null;
        }

        _folder = null;
        return true;
    }

    /// <summary>A stream over the model file, initializers external: enough to read its metadata and signature.</summary>
    public Stream OpenModelFile() => new MemoryStream(_model, writable: false);

    /// <summary>The model with its initializers inline, as ML.NET's OnnxTransformer and an exported .onnx need it.</summary>
    /// <remarks>The initializers are read into arrays the returned message wraps, not copied again when it is written.</remarks>
    public ModelProto ReadInline()
    {
        ObjectDisposedException.ThrowIf(_data.SafeFileHandle.IsClosed, this);
        if (IsLarge)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.LargeHeadNotInline, InlineLength / 1e9));
        }

        var model = ModelProto.Parser.ParseFrom(_model);
        foreach (var tensor in model.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            if (entries["location"] != DataFileName)
            {
                throw new InvalidDataException(OodErrors.Format(OodErrors.ExternalDataWrongFile, tensor.Name, entries["location"]));
            }

            var bytes = new byte[long.Parse(entries["length"], CultureInfo.InvariantCulture)];
            long offset = long.Parse(entries["offset"], CultureInfo.InvariantCulture);
            for (int read = 0; read < bytes.Length;)
            {
                int n = RandomAccess.Read(_data.SafeFileHandle, bytes.AsSpan(read), offset + read);
                read += n > 0 ? n : throw new InvalidDataException(OodErrors.Format(OodErrors.ExternalDataTruncated, tensor.Name));
            }
            tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
        }
        return model;
    }

    public void Dispose()
    {
        _data.Dispose();
        _folder?.TryDelete();
        _folder = null;
    }

    /// <summary>Copies the data file by offset: several threads may read it at once (saving, exporting).</summary>
    private void RandomAccessCopy(Stream destination)
    {
        var buffer = new byte[1 << 20];
        for (long offset = 0; ; )
        {
            int n = RandomAccess.Read(_data.SafeFileHandle, buffer, offset);
            if (n == 0)
            {
                return;
            }

            destination.Write(buffer, 0, n);
            offset += n;
        }
    }
}
