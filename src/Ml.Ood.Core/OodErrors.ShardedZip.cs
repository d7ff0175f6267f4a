namespace Ml.Ood;

// A sharded KNN transformer saved inside an ML.NET model zip (issue 15 item 3): its saved form holds the shard manifest
// and call settings, and only ml.Ood().LoadSharded, given a cluster client, turns it back into a transformer.
public static partial class OodErrors
{
    /// <summary>The sharded head's saved form met by ml.Model.Load or by ml.Ood().Load without a cluster client (refused while ML.NET loads it).</summary>
    public const string ShardedHeadLoadedWithoutClient =
        "This model holds a sharded KNN head (contract MlOod.ShardedKnn): its bank lies in shards served by an Orleans " +
        "cluster, so neither ml.Model.Load nor ml.Ood().Load can score with it. Load the model with " +
        "ml.Ood().LoadSharded(path, clusterClient, out schema), giving a started client of a cluster whose silos read the " +
        "model's shard store.";

    /// <summary>The sharded head's saved form asked to score (a mapping that a load left in place).</summary>
    public const string ShardedHeadNotRestored =
        "A sharded KNN head was not restored from its saved form, so it has no shards to score against (its saved form " +
        "would score zeros). Load the model with ml.Ood().LoadSharded(path, clusterClient, out schema).";

    /// <summary>The sharded head's saved settings that cannot be read. {0}: the head's output column, {1}: the problem.</summary>
    public const string ShardedHeadSettingsInvalid =
        "The sharded KNN head writing '{0}' in this model cannot be restored: {1}. Save the model again from a fitted " +
        "ShardedKnnTransformer.";
}
