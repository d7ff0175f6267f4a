using System.Net;
using Microsoft.Extensions.Hosting;

namespace Ml.Ood.Cluster;

/// <summary>One silo: Orleans' development (localhost) clustering, and MlOod's shard grains reading the store.</summary>
public static class SiloProcess
{
    public static async Task<int> RunAsync(ClusterOptions options)
    {
        var host = Host.CreateDefaultBuilder()
            .UseOrleans(silo => silo
                .UseLocalhostClustering(ClusterOptions.SiloPort + options.Silo, ClusterOptions.GatewayPort + options.Silo,
                    new IPEndPoint(IPAddress.Loopback, ClusterOptions.SiloPort))
                .AddMlOodShards(new FolderShardStore(options.Store)))
            .Build();
        await host.StartAsync();
        // The demo waits for this line before it starts the next process.
        Console.WriteLine($"silo {options.Silo} up (gateway {ClusterOptions.GatewayPort + options.Silo}, store {options.Store})");
        await host.WaitForShutdownAsync();
        return 0;
    }
}
