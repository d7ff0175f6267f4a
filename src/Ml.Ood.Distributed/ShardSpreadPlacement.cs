using System.Globalization;
using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Ml.Ood;

/// <summary>
/// Places shard i on the i-th silo (mod the silos), ordered by address, so that S shards on S silos hold one shard each
/// (Orleans' default placement put two of four shards on one silo and none on two others in the cluster benchmark). When
/// a silo leaves, its shards go to the silos left, by the same rule.
/// </summary>
internal sealed class ShardSpreadPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s).ToArray();
        int shard = ShardKey.Index(target.GrainIdentity.Key.ToString()!);
        return Task.FromResult(silos[shard % silos.Length]);
    }
}

/// <summary>The placement of <see cref="ShardSpreadPlacementDirector"/>.</summary>
[GenerateSerializer]
[Immutable]
internal sealed class ShardSpreadPlacement : PlacementStrategy
{
    public static ShardSpreadPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class placed by <see cref="ShardSpreadPlacementDirector"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class ShardSpreadPlacementAttribute() : PlacementAttribute(ShardSpreadPlacement.Instance);

/// <summary>A shard grain's key: <c>index/file#sha256</c>.</summary>
internal static class ShardKey
{
    public static string For(ShardEntry shard) => string.Create(CultureInfo.InvariantCulture, $"{shard.Index}/{shard.FileName}#{shard.Sha256}");

    public static int Index(string key) => int.Parse(key.AsSpan(0, key.IndexOf('/')), CultureInfo.InvariantCulture);

    public static (string File, string Sha256) FileAndHash(string key)
    {
        int slash = key.IndexOf('/'), hash = key.LastIndexOf('#');
        return (key[(slash + 1)..hash], key[(hash + 1)..]);
    }
}
