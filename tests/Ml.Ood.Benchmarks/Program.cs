using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Ml.Ood.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
