using Microsoft.ML;
using Ml.Ood;

namespace ReadmeSnippets;

/// <summary>src/Ml.Ood.Distributed/README.md, "How to use".</summary>
internal static class DistributedReadme
{
    public static void Run(MLContext ml, IClusterClient clusterClient, IDataView bankEmbeddings, IDataView testEmbeddings, ITransformer encoder,
        IDataView images)
    {
        #region distributed-readme
        // Every silo: siloBuilder.AddMlOodShards(new FolderShardStore("/shared/mlood-shards"));
        var store = new FolderShardStore("/shared/mlood-shards");
        var sharded = ml.Ood().ShardedKnn(clusterClient, store, new ShardedKnnOptions
        {
            Knn = new KnnOptions { InputColumnName = "embedding", OutputColumnName = "KnnScore", K = 50 },
            Shards = 4,
        }).Fit(bankEmbeddings);
        IDataView scored = sharded.Transform(testEmbeddings);

        // In a pipeline, saved as an ML.NET .zip (the bank stays in the store) and loaded with only the cluster client:
        ml.Model.Save(encoder.Append(sharded), images.Schema, "detector.zip");
        ITransformer detector = ml.Ood().LoadSharded("detector.zip", clusterClient, out DataViewSchema schema);
        #endregion
        _ = scored;
        _ = detector;
        _ = schema;
    }
}
