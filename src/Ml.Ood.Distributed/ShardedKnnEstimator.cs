using System.Security.Cryptography;
using Microsoft.ML;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>
/// Exact KNN out-of-distribution score (Sun et al., ICML 2022; the score of <see cref="KnnEstimator"/>) over a bank
/// sharded across an Orleans cluster. Higher means more likely out-of-distribution.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: it reads the embedding column once to build the bank |
/// | Input column data type | Known-sized vector of <xref:System.Single> |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Distributed | Microsoft.ML.OnnxRuntime (CPU) on the silos; an Orleans client in the application |
/// ]]></format>
/// Fit reads the bank as <see cref="KnnEstimator"/> does (the same sample for the same seed), cuts it into
/// <see cref="ShardedKnnOptions.Shards"/> shards of consecutive rows and writes each as a shard head
/// (<c>KnnShardGraph</c>) into the <see cref="IShardStore"/>, which the silos read (register it on each silo with
/// <c>siloBuilder.AddMlOodShards(store)</c>). The fitted <see cref="ShardedKnnTransformer"/> holds only the manifest;
/// its scores equal the single-bank head's bit for bit (tests/Ml.Ood.Distributed.Tests). The whole bank passes through
/// the fitting process's memory once.
/// </remarks>
public sealed class ShardedKnnEstimator : IEstimator<ShardedKnnTransformer>
{
    private readonly OodCatalog _catalog;
    private readonly IClusterClient _client;
    private readonly IShardStore _store;
    private readonly ShardedKnnOptions _options;

    internal ShardedKnnEstimator(OodCatalog catalog, IClusterClient client, IShardStore store, ShardedKnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(store);
        options.Validate();
        _catalog = catalog;
        _client = client;
        _store = store;
        _options = options;
    }

    /// <inheritdoc/>
    public ShardedKnnTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var knn = _options.Knn;
        int width = HeadSchema.CheckInput(input.Schema, knn.InputColumnName);
        var host = _catalog.Environment.Register(nameof(ShardedKnnEstimator));
        var random = knn.Seed is int seed ? new Random(seed) : host.Rand;
        var bank = KnnBank.Read(host, input, knn.InputColumnName, width, knn.BankFraction, knn.MaxBankRows, random);
        int rows = bank.Rows.Length;
        if (rows == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.KnnBankEmpty, knn.InputColumnName));
        }

        if (knn.K > rows)
        {
            throw new ArgumentOutOfRangeException("k", knn.K, OodErrors.Format(OodErrors.KnnKLargerThanBank, knn.K, rows));
        }

        if (_options.Shards > rows)
        {
            throw new ArgumentOutOfRangeException(nameof(ShardedKnnOptions.Shards), _options.Shards,
                OodErrors.Format(OodErrors.MoreShardsThanRows, _options.Shards, rows));
        }

        CheckShardSize(rows, width, _options.Shards);
        string prefix = _options.ShardNamePrefix ?? $"knn-{Guid.NewGuid():N}";
        var shards = new ShardEntry[_options.Shards];
        long first = 0;
        for (int s = 0; s < shards.Length; s++)
        {
            int count = (int)(((long)rows * (s + 1) / shards.Length) - first);
            byte[] head = KnnShardGraph.Build(Transposed(bank.Rows, (int)first, count, width), count, width, knn.K, first);
            string name = $"{prefix}-{s:D3}.onnx";
            _store.Write(name, head);
            shards[s] = new ShardEntry(s, name, Convert.ToHexStringLower(SHA256.HashData(head)), first, count);
            first += count;
        }

        var manifest = new ShardManifest(knn.InputColumnName, knn.OutputColumnName, width, knn.K, rows, shards);
        return new ShardedKnnTransformer(_client, manifest, _options.Calls);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        HeadSchema.CheckInput(inputSchema, _options.Knn.InputColumnName);
        string output = _options.Knn.OutputColumnName;
        return new SchemaShape(inputSchema.Where(c => c.Name != output).Append(HeadSchema.OutputColumn(_catalog.Context, output, OodHeadOutputKind.Score)));
    }

    /// <summary>
    /// Throws before writing anything if the largest shard would not fit one ONNX file: a shard file holds its rows inline
    /// (the single head's external-data form for banks over 2 GB is not used for shards; more shards are the remedy).
    /// </summary>
    internal static void CheckShardSize(long rows, int width, int shards)
    {
        long largest = (rows + shards - 1) / shards;
        long bytes = largest * width * sizeof(float);
        if (ExternalBankWriter.IsLarge(largest, width))
        {
            long perShard = ExternalBankWriter.ThresholdBytes / ((long)width * sizeof(float));
            throw new ArgumentOutOfRangeException(nameof(ShardedKnnOptions.Shards), shards,
                OodErrors.Format(OodErrors.ShardTooLarge, shards, largest, width, bytes / 1e9, (rows + perShard - 1) / perShard));
        }
    }

    /// <summary>Rows first .. first + count of the bank, transposed to [width, count] (the layout the shard's MatMul reads).</summary>
    private static float[] Transposed(float[][] bank, int first, int count, int width)
    {
        var transposed = new float[(long)count * width];
        for (int r = 0; r < count; r++)
        {
            var row = bank[first + r];
            for (int d = 0; d < width; d++)
            {
                transposed[((long)d * count) + r] = row[d];
            }
        }
        return transposed;
    }
}
