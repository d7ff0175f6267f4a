namespace Ml.Ood.Cluster;

/// <summary>The sample's command line: a mode (silo, client, demo), a silo number, the store folder and the shard count.</summary>
public sealed record ClusterOptions(string Mode, int Silo, string Store, int Shards, int Silos)
{
    /// <summary>Silo n listens on 11111 + n (silo to silo) and 30000 + n (clients); silo 0 is the primary.</summary>
    public const int SiloPort = 11111;

    public const int GatewayPort = 30000;

    public static ClusterOptions Parse(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "";
        int silo = args.Length > 1 && int.TryParse(args[1], out int n) ? n : 0;
        string store = Value(args, "--store") ?? Path.Combine(Path.GetTempPath(), "mlood-cluster-store");
        int shards = int.Parse(Value(args, "--shards") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
        int silos = int.Parse(Value(args, "--silos") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
        return new(mode, silo, store, shards, silos);
    }

    public static int Usage()
    {
        Console.Error.WriteLine("usage: Cluster silo <n> | client | demo | bench  [--store folder] [--shards S] [--silos N]");
        return 2;
    }

    private static string? Value(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
