namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// How a head's rows are spread over ONNX Runtime calls and threads. A small head (weights that fit in cache) runs
/// <see cref="ConcurrentRuns"/> calls at once, each on one thread over its own block: measured on 100,000 x 512
/// features with a 1,000-class layer on 2 cores, ReAct took 0.36 s so, 0.45 s as one call at a time on 2 threads and
/// 0.63 s on ONNX Runtime's default of 1 thread there; ASH-P 0.90 / 1.03 / 1.57 s (its TopK runs on one thread
/// whatever the session's count). A large head (one with <see cref="OodHeadInfo.MaxRowsPerRun"/>: a KNN or NNGuide
/// bank) makes one call at a time on every thread instead: each call reads the whole bank, and concurrent calls would
/// each hold a rows x bank distance matrix.
/// </summary>
/// <param name="RowsPerRun">The most rows one call scores.</param>
/// <param name="ConcurrentRuns">Calls at once.</param>
/// <param name="ThreadsPerRun">ONNX Runtime's intra-op threads for each call.</param>
/// <param name="RowsPerFill">Rows a cursor reads before it scores them.</param>
internal sealed record ParallelPlan(int RowsPerRun, int ConcurrentRuns, int ThreadsPerRun, int RowsPerFill)
{
    public static ParallelPlan For(OodHeadInfo info, OodHeadExecution execution)
        => info.MaxRowsPerRun is int cap
            ? new ParallelPlan(Math.Max(1, cap), 1, execution.Parallelism, execution.BlockSize)
            : new ParallelPlan(execution.BlockSize, execution.Parallelism, 1, checked(execution.BlockSize * execution.Parallelism));

    /// <summary>On a GPU one call at a time, a block per call: the device does the parallel work.</summary>
    public ParallelPlan OnGpu(OodHeadExecution execution) => this with { ConcurrentRuns = 1, RowsPerFill = execution.BlockSize };
}
