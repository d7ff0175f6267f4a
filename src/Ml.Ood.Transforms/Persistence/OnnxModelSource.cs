using Google.Protobuf;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// A head's serialized ONNX model: in memory (a head just fitted, or a small one loaded), or in external-data
/// files (a large head loaded from a .zip), so that its state does not sit in managed memory beside the ONNX
/// Runtime session that maps it.
/// </summary>
internal sealed class OnnxModelSource : IDisposable
{
    private readonly byte[]? _bytes;

    private OnnxModelSource(byte[]? bytes, ExternalDataFiles? external)
    {
        _bytes = bytes;
        External = external;
    }

    /// <summary>The external-data files of a large loaded head; <see langword="null"/> for a model in memory.</summary>
    public ExternalDataFiles? External { get; }

    /// <summary>The model's size in bytes with its initializers inline.</summary>
    public long Length => _bytes?.Length ?? External!.InlineLength;

    public static OnnxModelSource FromBytes(byte[] bytes) => new(bytes, null);

    /// <summary>Takes ownership of <paramref name="files"/>.</summary>
    public static OnnxModelSource FromExternalData(ExternalDataFiles files) => new(null, files);

    /// <summary>
    /// A stream over a model with the same metadata and graph, whose large initializers may be external: what
    /// <see cref="Onnx.OnnxModelStructure"/> reads, without bringing the initializers into memory.
    /// </summary>
    public Stream OpenStructure() => _bytes is not null ? new MemoryStream(_bytes, writable: false) : External!.OpenModelFile();

    /// <summary>Throws when the model cannot be written inline: a large head's state is over ONNX's 2 GB limit.</summary>
    /// <exception cref="InvalidOperationException">The head is large (<see cref="ExternalDataFiles.IsLarge"/>).</exception>
    public void EnsureInline()
    {
        if (External is { IsLarge: true })
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.LargeHeadNotInline, Length / 1e9));
        }
    }

    /// <summary>The model with its initializers inline: the array itself for a model in memory, a new one otherwise.</summary>
    public byte[] ToArray()
    {
        return _bytes ?? External!.ReadInline().ToByteArray();
    }

    /// <summary>Writes the model with its initializers inline.</summary>
    public void WriteTo(Stream output)
    {
        if (_bytes is not null)
        {
            output.Write(_bytes);
        }
        else
        {
            External!.ReadInline().WriteTo(output);
        }
    }

    public void Dispose() => External?.Dispose();
}
