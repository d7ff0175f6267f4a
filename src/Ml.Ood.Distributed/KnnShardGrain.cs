using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Transforms.Persistence;
using Orleans.Concurrency;

namespace Ml.Ood;

/// <summary>
/// Hosts one shard head: at activation it checks the shard file's SHA-256 against its key and opens an ONNX Runtime
/// session from the file, memory-mapped from 16 MB on (the silo never holds a managed copy of the bank); each call runs the block in chunks of at most
/// <see cref="KnnEstimator.MaxRowsPerRun"/> rows, so that the similarity block stays within half the shard. Calls
/// interleave (ONNX Runtime's Run is thread-safe and the session changes only at activation), so a silo computes the
/// blocks a client has in flight at once.
/// </summary>
[Reentrant]
[ShardSpreadPlacement]
internal sealed class KnnShardGrain(IShardStore store) : Grain, IKnnShardGrain
{
    private InferenceSession? _session;
    private ExternalDataFiles? _external;
    private int _dims;
    private int _listLength;
    private int _rowsPerRun;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (file, expected) = ShardKey.FileAndHash(this.GetPrimaryKeyString());
        string path = store.GetLocalPath(file);
        string actual;
        using (var stream = File.OpenRead(path))
        {
            actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        if (actual != expected)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.ShardHashMismatch, file, expected, actual));
        }

        var session = Open(path);
        try
        {
            var metadata = session.ModelMetadata.CustomMetadataMap;
            if (!metadata.TryGetValue(OodHeadInfo.HeadKey, out string? kind) || kind != KnnShardGraph.Kind)
            {
                throw new InvalidDataException(OodErrors.Format(OodErrors.ShardFileNotShardHead, file, $"its head kind is '{kind}'"));
            }

            _dims = int.Parse(metadata[OodHeadInfo.InputSizeKey], CultureInfo.InvariantCulture);
            _listLength = int.Parse(metadata[OodHeadInfo.ParameterPrefix + "k"], CultureInfo.InvariantCulture);
            int rows = int.Parse(metadata[OodHeadInfo.ParameterPrefix + "rows"], CultureInfo.InvariantCulture);
            _rowsPerRun = KnnEstimator.MaxRowsPerRun(rows, _dims, _listLength);
            _session = session;
        }
        catch
        {
            session.Dispose();
            Release();
            throw;
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// A shard of 16 MB or more is opened as the single head opens a large head: rewritten in ONNX's external-data form in
    /// a private folder, which ONNX Runtime memory-maps (one copy of the bank, in file-backed pages; from bytes or an inline
    /// file it would parse the protobuf and copy the initializer), and unlinked once mapped.
    /// </summary>
    private InferenceSession Open(string path)
    {
        long length = new FileInfo(path).Length;
        using var options = Options(length);
        if (length < ExternalDataFiles.MinModelBytes)
        {
            return new InferenceSession(path, options);
        }

        using (var inline = File.OpenRead(path))
        {
            _external = ExternalDataFiles.Create(inline, length);
        }
        var session = new InferenceSession(_external.ModelPath(), options);
        _external.ReleasePaths();
        return session;
    }

    private void Release()
    {
        _external?.Dispose();
        _external = null;
    }

    /// <summary>
    /// As the single head's session (HeadSession.CreateSession): every core, no spinning between calls (a silo's other
    /// grains and the blocks in flight share the cores), and no prepacked copy of a bank of 16 MB or more, which the
    /// single head keeps in external data without one; a small shard keeps it, as the small single head does, so that a
    /// single row goes through the same GEMM kernel in both.
    /// </summary>
    private static SessionOptions Options(long modelBytes)
    {
        var options = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount, InterOpNumThreads = 1 };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (modelBytes >= ExternalDataFiles.MinModelBytes)
        {
            options.AddSessionConfigEntry("session.disable_prepacking", "1");
        }

        return options;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _session?.Dispose();
        _session = null;
        Release();
        return Task.CompletedTask;
    }

    public Task<ShardNeighbours> SearchAsync(ShardQueries queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        int n = queries.RowCount;
        if (n < 0 || queries.Rows.Length != (long)n * _dims)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.ShardQueriesSizeMismatch, n, _dims, queries.Rows.Length), nameof(queries));
        }

        var answer = new ShardNeighbours(_listLength, new float[n * _listLength], new float[n * _listLength], new long[n * _listLength]);
        for (int first = 0; first < n; first += _rowsPerRun)
        {
            Run(queries.Rows, first, Math.Min(_rowsPerRun, n - first), answer);
        }
        return Task.FromResult(answer);
    }

    private void Run(float[] rows, int first, int count, ShardNeighbours answer)
    {
        var session = _session!;
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
            rows.AsMemory(first * _dims, count * _dims), [count, _dims]);
        using var options = new RunOptions();
        using var outputs = session.Run(options, [KnnShardGraph.QueryInput], [input],
            [KnnShardGraph.CosinesOutput, KnnShardGraph.DistancesOutput, KnnShardGraph.IndicesOutput]);
        int start = first * _listLength, length = count * _listLength;
        outputs[0].GetTensorDataAsSpan<float>().CopyTo(answer.Cosines.AsSpan(start, length));
        outputs[1].GetTensorDataAsSpan<float>().CopyTo(answer.Distances.AsSpan(start, length));
        outputs[2].GetTensorDataAsSpan<long>().CopyTo(answer.Indices.AsSpan(start, length));
    }
}
