using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>GPU settings pass through to ONNX Runtime; these tests run with the CPU-only runtime, as CI does.</summary>
[TestClass]
public sealed class ExecutionOptionsTests
{
    private static readonly float[][] Logits = LogitsData.Random(rows: 20, classes: 4, scale: 3, seed: 3);

    [TestMethod]
    public void SettingsDefaultToTheContext()
    {
        var ml = new MLContext(seed: 1) { GpuDeviceId = 3, FallbackToCpu = true };
        var model = ml.Ood().MaxLogit("MaxLogit", "Logits").Fit(LogitsData.Create(ml, Logits));
        Assert.AreEqual(3, model.GpuDeviceId);
        Assert.IsTrue(model.FallbackToCpu);
        Assert.AreEqual(256, model.BlockSize);

        var explicitCpu = ml.Ood().MaxLogit("MaxLogit", "Logits", execution: new() { GpuDeviceId = null, FallbackToCpu = false, BlockSize = 32 })
            .Fit(LogitsData.Create(ml, Logits));
        Assert.AreEqual(3, explicitCpu.GpuDeviceId, "null means the context's device, as in ApplyOnnxModel");
        Assert.IsFalse(explicitCpu.FallbackToCpu);
        Assert.AreEqual(32, explicitCpu.BlockSize);
    }

    [TestMethod]
    public void ParallelismComesFromTheHeadThenTheCatalogThenTheCoreCount()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        Assert.AreEqual(Environment.ProcessorCount, ml.Ood().Energy("Energy", "Logits").Fit(data).Parallelism);
        var catalog = ml.Ood(new OodExecutionOptions { Parallelism = 3 });
        Assert.AreEqual(3, catalog.Energy("Energy", "Logits").Fit(data).Parallelism);
        Assert.AreEqual(1, catalog.Energy("Energy", "Logits", execution: new() { Parallelism = 1 }).Fit(data).Parallelism);
    }

    [TestMethod]
    public void ParallelismBelowOneIsRefusedNamingTheOption()
    {
        var ml = new MLContext(seed: 1);
        var onHead = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Energy("Energy", "Logits", execution: new() { Parallelism = 0 }));
        StringAssert.Contains(onHead.Message, "OodExecutionOptions.Parallelism must be at least 1");
        StringAssert.Contains(onHead.Message, "got 0");
        var onCatalog = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood(new OodExecutionOptions { Parallelism = -2 }));
        StringAssert.Contains(onCatalog.Message, "got -2");
    }

    [TestMethod]
    public void MissingGpuRuntimeFallsBackToCpuWhenAllowed()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var model = ml.Ood().Energy("Energy", "Logits", execution: new() { GpuDeviceId = 0, FallbackToCpu = true }).Fit(data);
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning)
            {
                lock (warnings)
                {
                    warnings.Add(e.RawMessage);
                }
            }
        };

        var expected = Logits.Select(z => LogitScores.Energy(z)).ToArray();
        HeadHarness.AssertAllClose(expected, HeadHarness.Batched(model, data, "Energy"), 1e-5, "batched on the CPU fallback");
        HeadHarness.AssertAllClose(expected, HeadHarness.PerRow(ml, model, data, Logits, "Energy"), 1e-5, "per row on the CPU fallback");
        var fallback = warnings.Where(w => w.Contains("runs on the CPU instead", StringComparison.Ordinal)).ToList();
        Assert.HasCount(1, fallback, "the fallback is said once per head, on the context's log: " + string.Join(" | ", warnings));
        StringAssert.Contains(fallback[0], "GPU device 0 could not run the head writing 'Energy' (energy)");
    }

    [TestMethod]
    public void MissingGpuRuntimeThrowsWithoutFallback()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var model = ml.Ood().Energy("Energy", "Logits", execution: new() { GpuDeviceId = 0, FallbackToCpu = false }).Fit(data);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => HeadHarness.Batched(model, data, "Energy"));
        StringAssert.Contains(error.Message, "GPU device 0");
        StringAssert.Contains(error.Message, "Microsoft.ML.OnnxRuntime.Gpu");
        Assert.ThrowsExactly<InvalidOperationException>(() => HeadHarness.PerRow(ml, model, data, Logits, "Energy"));
    }
}
