using Microsoft.ML;
using Ml.Ood.Tests;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood.Transforms.Tests;

/// <summary>How rows are spread over ONNX Runtime calls: concurrent one-thread calls for small heads, one call on every thread for large ones.</summary>
[TestClass]
public sealed class ParallelPlanTests
{
    private static OodHeadInfo EnergyInfo()
    {
        var ml = new MLContext(seed: 1);
        using var energy = ml.Ood().Energy("Energy", "Logits").Fit(LogitsData.Create(ml, LogitsData.Random(rows: 3, classes: 4, scale: 1, seed: 1)));
        return energy.Head;
    }

    [TestMethod]
    public void SmallHeadsRunOneBlockPerCallManyCallsAtOnceOnOneThreadEach()
    {
        var plan = ParallelPlan.For(EnergyInfo(), new OodHeadExecution(null, true, BlockSize: 64, Parallelism: 4));
        Assert.AreEqual(new ParallelPlan(RowsPerRun: 64, ConcurrentRuns: 4, ThreadsPerRun: 1, RowsPerFill: 256), plan);
    }

    [TestMethod]
    public void LargeHeadsRunOneCallAtATimeOnEveryThread()
    {
        var plan = ParallelPlan.For(EnergyInfo().WithMaxRowsPerRun(100), new OodHeadExecution(null, true, BlockSize: 256, Parallelism: 4));
        Assert.AreEqual(new ParallelPlan(RowsPerRun: 100, ConcurrentRuns: 1, ThreadsPerRun: 4, RowsPerFill: 256), plan,
            "concurrent calls would each hold a rows x bank matrix");
    }

    [TestMethod]
    public void OnTheGpuOneCallAtATimeOverOneBlock()
    {
        var execution = new OodHeadExecution(0, true, BlockSize: 64, Parallelism: 4);
        var plan = ParallelPlan.For(EnergyInfo(), execution).OnGpu(execution);
        Assert.AreEqual(1, plan.ConcurrentRuns);
        Assert.AreEqual(64, plan.RowsPerFill);
    }
}
