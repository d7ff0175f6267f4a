namespace Ml.Ood;

/// <summary>
/// Span-based metric functions for callers outside ML.NET pipelines, in the spirit of
/// <c>TensorPrimitives</c>: OOD detection, open-set and open-world recognition, top-k and multi-label
/// ranking. Scores are oriented higher = more likely OOD (detection) or higher = more likely the class
/// (classification). Every function checks its input up front and throws <see cref="ArgumentException"/>
/// naming the argument and the problem; results are exact (ties handled by definition, no sampling).
/// </summary>
/// <remarks>
/// In namespace <c>Ml.Ood</c>, beside <c>ml.Ood()</c> and the result types, so that one <c>using Ml.Ood;</c>
/// reaches every entry point and what it returns. Every function takes Single or Double scores.
/// Double scores are compared as doubles, never rounded to Single: two scores that differ rank as different.
/// </remarks>
public static partial class OodMetrics
{
    /// <summary>Every OOD detection metric from one sort of <paramref name="scores"/>.</summary>
    /// <param name="isOod">Per row: true for out-of-distribution, false for in-distribution.</param>
    /// <param name="scores">Per row: the detector's score, higher = more likely OOD; finite.</param>
    /// <exception cref="ArgumentException">Lengths differ, a score is NaN or infinite, or one class has no rows.</exception>
    public static OodDetectionMetrics EvaluateDetection(ReadOnlySpan<bool> isOod, ReadOnlySpan<float> scores) =>
        new(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)));

    /// <inheritdoc cref="EvaluateDetection(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static OodDetectionMetrics EvaluateDetection(ReadOnlySpan<bool> isOod, ReadOnlySpan<double> scores) =>
        new(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)));

    /// <summary>AUROC: P(OOD score &gt; ID score) + 1/2 P(equal). Higher is better.</summary>
    /// <inheritdoc cref="EvaluateDetection(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double AreaUnderRocCurve(ReadOnlySpan<bool> isOod, ReadOnlySpan<float> scores) =>
        ThresholdWalk.AreaUnderRocCurve(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)));

    /// <inheritdoc cref="AreaUnderRocCurve(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double AreaUnderRocCurve(ReadOnlySpan<bool> isOod, ReadOnlySpan<double> scores) =>
        ThresholdWalk.AreaUnderRocCurve(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)));

    /// <summary>AUPR-In: average precision with ID positive, ranking by -score. Higher is better.</summary>
    /// <inheritdoc cref="EvaluateDetection(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double AreaUnderPrecisionRecallCurveIn(ReadOnlySpan<bool> isOod, ReadOnlySpan<float> scores) =>
        ThresholdWalk.AveragePrecisionIn(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)));

    /// <inheritdoc cref="AreaUnderPrecisionRecallCurveIn(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double AreaUnderPrecisionRecallCurveIn(ReadOnlySpan<bool> isOod, ReadOnlySpan<double> scores) =>
        ThresholdWalk.AveragePrecisionIn(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)));

    /// <summary>AUPR-Out: average precision with OOD positive, ranking by score. Higher is better.</summary>
    /// <inheritdoc cref="EvaluateDetection(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double AreaUnderPrecisionRecallCurveOut(ReadOnlySpan<bool> isOod, ReadOnlySpan<float> scores) =>
        ThresholdWalk.AveragePrecisionOut(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)));

    /// <inheritdoc cref="AreaUnderPrecisionRecallCurveOut(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double AreaUnderPrecisionRecallCurveOut(ReadOnlySpan<bool> isOod, ReadOnlySpan<double> scores) =>
        ThresholdWalk.AveragePrecisionOut(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)));

    /// <summary>
    /// FPR@95TPR, papers' definition: the fraction of OOD rows kept as ID by the smallest threshold that
    /// keeps 95% of ID rows. Lower is better.
    /// </summary>
    /// <inheritdoc cref="EvaluateDetection(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double FalsePositiveRateAtTruePositiveRate95(ReadOnlySpan<bool> isOod, ReadOnlySpan<float> scores) =>
        ThresholdWalk.FalsePositiveRateAtIdRate(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)), 0.95);

    /// <inheritdoc cref="FalsePositiveRateAtTruePositiveRate95(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double FalsePositiveRateAtTruePositiveRate95(ReadOnlySpan<bool> isOod, ReadOnlySpan<double> scores) =>
        ThresholdWalk.FalsePositiveRateAtIdRate(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)), 0.95);

    /// <summary>
    /// FPR@95TPR, OOD-positive definition (OpenOOD v1.5): the fraction of ID rows flagged by the largest
    /// threshold that flags 95% of OOD rows. Lower is better.
    /// </summary>
    /// <inheritdoc cref="EvaluateDetection(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double FalsePositiveRateAtOodTruePositiveRate95(ReadOnlySpan<bool> isOod, ReadOnlySpan<float> scores) =>
        ThresholdWalk.FalsePositiveRateAtOodRate(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)), 0.95);

    /// <inheritdoc cref="FalsePositiveRateAtOodTruePositiveRate95(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double FalsePositiveRateAtOodTruePositiveRate95(ReadOnlySpan<bool> isOod, ReadOnlySpan<double> scores) =>
        ThresholdWalk.FalsePositiveRateAtOodRate(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)), 0.95);

    /// <summary>Detection error: min over thresholds of 0.5 (1 - TPR) + 0.5 FPR. Lower is better.</summary>
    /// <inheritdoc cref="EvaluateDetection(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double DetectionError(ReadOnlySpan<bool> isOod, ReadOnlySpan<float> scores) =>
        ThresholdWalk.DetectionError(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)));

    /// <inheritdoc cref="DetectionError(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>
    public static double DetectionError(ReadOnlySpan<bool> isOod, ReadOnlySpan<double> scores) =>
        ThresholdWalk.DetectionError(ScoreGroups.Create(isOod, scores, nameof(isOod), nameof(scores)));
}
