using Microsoft.ML;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood;

/// <summary>
/// The sharded heads on <c>ml.Ood()</c> (Ml.Ood.Distributed): KNN over a bank sharded across an Orleans cluster, and
/// loading a saved one with a cluster client.
/// </summary>
public static class OodDistributedCatalog
{
    /// <summary>
    /// Exact KNN distance (Sun et al., ICML 2022; higher = OOD) over a bank cut into <see cref="ShardedKnnOptions.Shards"/>
    /// shards that the cluster's silos serve. The scores equal <c>ml.Ood().Knn</c>'s with the same options.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="clusterClient">A started Orleans client of a cluster whose silos called <c>AddMlOodShards</c>.</param>
    /// <param name="store">Where the shard files go; the silos must read the same store.</param>
    /// <param name="options">Columns, k, sampling, shards and call settings.</param>
    public static ShardedKnnEstimator ShardedKnn(this OodCatalog catalog, IClusterClient clusterClient, IShardStore store, ShardedKnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new ShardedKnnEstimator(catalog, clusterClient, store, options);
    }

    /// <summary>
    /// Loads a sharded KNN head saved by <see cref="ShardedKnnTransformer.Save(string)"/> (its manifest as JSON); for a
    /// model saved with <c>ml.Model.Save</c>, use the overload with <c>out DataViewSchema</c>.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="path">The saved manifest.</param>
    /// <param name="clusterClient">A started Orleans client of a cluster whose silos read the model's shard store.</param>
    /// <exception cref="InvalidDataException">The file is not a sharded KNN model, or its entries do not add up.</exception>
    public static ShardedKnnTransformer LoadSharded(this OodCatalog catalog, string path, IClusterClient clusterClient)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(clusterClient);
        var file = ShardedModelFile.Read(path);
        return new ShardedKnnTransformer(clusterClient, file.Manifest, file.Calls);
    }
    /// <summary>
    /// Loads a model saved with <c>ml.Model.Save</c> that holds sharded KNN heads (a pipeline such as encoder, sharded KNN,
    /// <c>ml.Ood().Threshold</c>): ml.Ood().Load's checked load (every entry's CRC, every head's content hash, the columns
    /// ML.NET saved), with each sharded head restored over <paramref name="clusterClient"/> from its saved manifest and call
    /// settings, and every other MlOod head, encoder and ML.NET transformer restored as ml.Ood().Load restores them.
    /// </summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="filePath">The .zip file.</param>
    /// <param name="clusterClient">A started Orleans client of a cluster whose silos read the model's shard store.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <param name="execution">Device, CPU fallback and block size for the other heads; null for the catalog's.</param>
    /// <returns>The loaded model, as <c>ml.Ood().Load</c> returns it (an <see cref="OodLoadedModel"/> for a pipeline).</returns>
    /// <exception cref="InvalidDataException">The file is damaged, or a head in it fails its checks; the message names it.</exception>
    public static ITransformer LoadSharded(this OodCatalog catalog, string filePath, IClusterClient clusterClient, out DataViewSchema inputSchema,
        OodExecutionOptions? execution = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        ArgumentNullException.ThrowIfNull(clusterClient);
        using (ShardedHeadMappingFactory.EnterRestoring(head => ShardedZipForm.Restore(head.Info, clusterClient)))
        {
            return catalog.Load(filePath, out inputSchema, execution);
        }
    }
}
