using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// A large head written to a temporary folder as a model file plus an external data file, for ONNX Runtime to
/// load by path and memory-map: the session then holds one copy of the head's state instead of three.
/// </summary>
internal sealed class ExternalDataModel : IDisposable
{
    /// <summary>Models from this size on are loaded through external data; smaller ones load from bytes.</summary>
    public const long MinModelBytes = 16L << 20;

    /// <summary>Initializers from this size on are moved to the data file.</summary>
    private const long MinInitializerBytes = 1L << 20;

    private readonly string _folder;

    private ExternalDataModel(string folder, string modelPath)
    {
        _folder = folder;
        ModelPath = modelPath;
    }

    public string ModelPath { get; }

    public static bool IsWorthIt(OnnxModelSource source) => source.Length >= MinModelBytes;

    public static ExternalDataModel Write(OnnxModelSource source)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"mlood-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            string modelPath = Path.Combine(folder, "head.onnx");
            using var input = source.OpenRead();
            OnnxExternalData.Write(input, source.Length, modelPath, "head.onnx.data", MinInitializerBytes);
            return new ExternalDataModel(folder, modelPath);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Deletes the files once the session holds what it needs. Where mapped files cannot be deleted (Windows) they
    /// stay until the session is disposed; a later call deletes them.
    /// </summary>
    public bool TryDelete()
    {
        try
        {
            if (Directory.Exists(_folder))
                Directory.Delete(_folder, recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose() => TryDelete();
}
