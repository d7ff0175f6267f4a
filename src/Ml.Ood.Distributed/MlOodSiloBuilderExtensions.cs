using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ml.Ood;

/// <summary>Hosting MlOod's KNN shard grains in an Orleans silo.</summary>
public static class MlOodSiloBuilderExtensions
{
    /// <summary>
    /// Lets this silo host KNN shard grains, which read their shard files from <paramref name="store"/> (the store the
    /// sharded head was fitted into; every silo of the cluster needs it), placed one shard per silo in turn.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="store">The shard store.</param>
    public static ISiloBuilder AddMlOodShards(this ISiloBuilder builder, IShardStore store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        builder.Services.TryAddSingleton(store);
        builder.AddPlacementDirector<ShardSpreadPlacement, ShardSpreadPlacementDirector>();
        return builder;
    }
}
