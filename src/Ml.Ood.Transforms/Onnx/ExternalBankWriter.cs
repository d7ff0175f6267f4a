using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Transforms.Onnx;

/// <summary>
/// A bank over ONNX's 2 GB protobuf limit, written as external data from the moment its graph is built: the rows,
/// transposed to [dimensions, rows] (the layout a MatMul with queries reads), go straight from their row arrays to a data
/// file in a private folder, hashed as they go (docs/ARCHITECTURE.md section 4, "Large heads"). No array holds the whole
/// bank, so a bank may exceed .NET's array limit (5M x 512 floats = 10 GB).
/// </summary>
internal static class ExternalBankWriter
{
    /// <summary>Banks of more bytes than this are written as external data: ONNX's limit, less room for the graph.</summary>
    internal const long DefaultThresholdBytes = 2_000_000_000;

    /// <summary>Bytes of transposed rows gathered before they are written (a block of dimensions, every row).</summary>
    private const long GatherBytes = 64L << 20;

    private static readonly AsyncLocal<long?> ThresholdOverride = new();

    /// <summary>Banks of more bytes than this are external: <see cref="DefaultThresholdBytes"/>, or a test's override.</summary>
    public static long ThresholdBytes => ThresholdOverride.Value ?? DefaultThresholdBytes;

    /// <summary>Whether a [rows, dimensions] float bank goes to external data.</summary>
    public static bool IsLarge(long rows, int dimensions) => rows * dimensions * sizeof(float) > ThresholdBytes;

    /// <summary>
    /// Lowers the threshold for the calling flow until the result is disposed, so that tests build the large form from a
    /// bank of a few MB (an AsyncLocal: tests running beside it keep the default).
    /// </summary>
    internal static IDisposable OverrideThreshold(long bytes)
    {
        long? previous = ThresholdOverride.Value;
        ThresholdOverride.Value = bytes;
        return new Restore(() => ThresholdOverride.Value = previous);
    }

    /// <summary>Writes <paramref name="rows"/> (each of <paramref name="dimensions"/> floats) transposed to a new private folder.</summary>
    public static ExternalBank Write(IReadOnlyList<float[]> rows, int dimensions)
    {
        var folder = PrivateFolder.Create();
        try
        {
            string path = folder.PathOf(ExternalDataFiles.DataFileName);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length;
            using (var data = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                WriteTransposed(rows, dimensions, data, hash);
                length = data.Length;
            }
            return new ExternalBank(folder, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch
        {
            folder.TryDelete();
            throw;
        }
    }

    /// <summary>
    /// The rows transposed, in file order: a block of dimensions at a time is gathered from every row (one cache line of
    /// each row per block rather than one miss per value) and written dimension by dimension.
    /// </summary>
    internal static void WriteTransposed(IReadOnlyList<float[]> rows, int dimensions, Stream output, IncrementalHash hash)
    {
        int count = rows.Count;
        int block = (int)Math.Clamp(GatherBytes / Math.Max(1L, (long)count * sizeof(float)), 1, 16);
        var gathered = new float[block][];
        for (int b = 0; b < block; b++)
        {
            gathered[b] = new float[count];
        }

        for (int d0 = 0; d0 < dimensions; d0 += block)
        {
            int width = Math.Min(block, dimensions - d0);
            for (int r = 0; r < count; r++)
            {
                var row = rows[r];
                for (int b = 0; b < width; b++)
                {
                    gathered[b][r] = row[d0 + b];
                }
            }
            for (int b = 0; b < width; b++)
            {
                var bytes = MemoryMarshal.AsBytes(gathered[b].AsSpan());
                output.Write(bytes);
                hash.AppendData(bytes);
            }
        }
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}

/// <summary>A bank written as external data: the private folder that holds its data file, its size and its SHA-256.</summary>
internal sealed class ExternalBank(PrivateFolder folder, long length, string sha256)
{
    public PrivateFolder Folder { get; } = folder;

    public long Length { get; } = length;

    /// <summary>The data file's SHA-256 (lower-case hex), recorded in the head's metadata before its content hash.</summary>
    public string Sha256 { get; } = sha256;
}
