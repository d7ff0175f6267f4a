// MlOod on an Orleans cluster: the quick start's KNN bank (10,000 MNIST embeddings from the LeNet encoder) cut into
// shards that two silo processes serve, scored from a client process, with the same AUROC as the single-process head.
//
//   dotnet run --project samples/Cluster -c Release -- silo 0      # terminal 1: the first silo (primary, port 11111)
//   dotnet run --project samples/Cluster -c Release -- silo 1      # terminal 2: the second silo (port 11112)
//   dotnet run --project samples/Cluster -c Release -- client      # terminal 3: fit, score, compare
//   dotnet run --project samples/Cluster -c Release -- demo        # or all three at once (CI): two silo processes and the client
//   (bench: the client of tests/Ml.Ood.Benchmarks/cluster-bench.sh, which starts the silos itself)
//
// Every process reads the shard store folder (--store, default /tmp/mlood-cluster-store): on several machines it would be a
// shared volume. The data is the quick start's (MLOOD_DATA, or fetched into .cache/mlood-data).
using Ml.Ood.Cluster;

var options = ClusterOptions.Parse(args);
return options.Mode switch
{
    "silo" => await SiloProcess.RunAsync(options),
    "client" => await ClientProcess.RunAsync(options),
    "demo" => await Demo.RunAsync(options),
    "bench" => await Bench.RunAsync(options, args),
    _ => ClusterOptions.Usage(),
};
