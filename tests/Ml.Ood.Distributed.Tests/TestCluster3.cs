using System.Collections.Concurrent;
using Orleans.TestingHost;

namespace Ml.Ood.Distributed.Tests;

/// <summary>
/// Three silos in this process (Orleans' TestingHost) sharing one folder shard store, started once for the assembly.
/// Grain keys listed in <see cref="Blocked"/> never answer (a call filter holds them), so a test can make a shard
/// unreachable while its silo is up.
/// </summary>
[TestClass]
public static class TestCluster3
{
    public static TestCluster Cluster { get; private set; } = null!;

    public static FolderShardStore Store { get; private set; } = null!;

    /// <summary>Shard grain keys whose calls hang.</summary>
    public static ConcurrentDictionary<string, bool> Blocked { get; } = new();

    [AssemblyInitialize]
    public static async Task StartAsync(TestContext context)
    {
        Store = new FolderShardStore(Path.Combine(Path.GetTempPath(), $"mlood-shards-{Guid.NewGuid():N}"));
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<Silo>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    [AssemblyCleanup]
    public static async Task StopAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        if (Store is not null)
        {
            Directory.Delete(Store.Folder, recursive: true);
        }
    }

    private sealed class Silo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMlOodShards(Store);
            siloBuilder.AddIncomingGrainCallFilter(async call =>
            {
                if (Blocked.ContainsKey(call.TargetId.Key.ToString()!))
                {
                    await Task.Delay(TimeSpan.FromSeconds(20));
                }

                await call.Invoke();
            });
        }
    }
}
