using System.Globalization;
using System.Text;

namespace Ml.Ood;

/// <summary>
/// Out-of-distribution detection metrics for a score where higher means more likely OOD, computed
/// exactly from one sort of the scores. Obtain it from <c>ml.Ood().Evaluate(...)</c> or
/// <see cref="OodMetrics.EvaluateDetection(ReadOnlySpan{bool}, ReadOnlySpan{float})"/>.
/// </summary>
/// <remarks>
/// Conventions follow the OOD literature (docs/ARCHITECTURE.md section 2): tied scores share one threshold and count
/// one half in the AUROC; the default FPR@95 is the papers' ID-positive definition, and OpenOOD v1.5's
/// OOD-positive one is <see cref="FalsePositiveRateAtOodTruePositiveRate95"/>. The object keeps the
/// distinct scores with their ID and OOD counts (not the rows), from which the curves, the plots in
/// <c>OodPlots</c> (package Ml.Ood.Evaluators.Plots) and <see cref="OodReport"/> are drawn.
/// </remarks>
public sealed class OodDetectionMetrics
{
    internal OodDetectionMetrics(ScoreGroups groups)
    {
        Groups = groups;
        AreaUnderRocCurve = ThresholdWalk.AreaUnderRocCurve(groups);
        AreaUnderPrecisionRecallCurveIn = ThresholdWalk.AveragePrecisionIn(groups);
        AreaUnderPrecisionRecallCurveOut = ThresholdWalk.AveragePrecisionOut(groups);
        FalsePositiveRateAtTruePositiveRate95 = ThresholdWalk.FalsePositiveRateAtIdRate(groups, 0.95);
        FalsePositiveRateAtOodTruePositiveRate95 = ThresholdWalk.FalsePositiveRateAtOodRate(groups, 0.95);
        DetectionError = ThresholdWalk.DetectionError(groups);
    }

    /// <summary>
    /// Area under the ROC curve (AUROC): the probability that a random OOD row scores above a random ID
    /// row, ties counting one half. 1 is perfect, 0.5 is chance. Higher is better.
    /// </summary>
    public double AreaUnderRocCurve { get; }

    /// <summary>
    /// AUPR-In: average precision with ID rows as the positive class and -score as the ranking
    /// (scikit-learn's <c>average_precision_score</c>: step-wise, no interpolation). Its chance level is
    /// the fraction of ID rows. Higher is better.
    /// </summary>
    public double AreaUnderPrecisionRecallCurveIn { get; }

    /// <summary>
    /// AUPR-Out: average precision with OOD rows as the positive class and the score as the ranking.
    /// Its chance level is the fraction of OOD rows. Higher is better.
    /// </summary>
    public double AreaUnderPrecisionRecallCurveOut { get; }

    /// <summary>
    /// FPR@95TPR as the papers define it (Energy, KNN, NegLabel): at the smallest threshold that keeps at
    /// least 95% of ID rows as ID (score &lt;= threshold), the fraction of OOD rows also kept as ID.
    /// Lower is better.
    /// </summary>
    public double FalsePositiveRateAtTruePositiveRate95 { get; }

    /// <summary>
    /// FPR@95TPR with OOD as the positive class (OpenOOD v1.5, pytorch-ood): at the largest threshold that
    /// flags at least 95% of OOD rows (score &gt;= threshold), the fraction of ID rows also flagged.
    /// Not comparable with <see cref="FalsePositiveRateAtTruePositiveRate95"/>. Lower is better.
    /// </summary>
    public double FalsePositiveRateAtOodTruePositiveRate95 { get; }

    /// <summary>
    /// Detection error (ODIN, Liang et al. 2018): the smallest 0.5 (1 - TPR) + 0.5 FPR over all
    /// thresholds, the error of the best threshold with equal class priors; at most 0.5. Lower is better.
    /// </summary>
    public double DetectionError { get; }

    /// <summary>Number of in-distribution rows evaluated.</summary>
    public int InDistributionCount => Groups.IdTotal;

    /// <summary>Number of out-of-distribution rows evaluated.</summary>
    public int OodCount => Groups.OodTotal;

    internal ScoreGroups Groups { get; }

    /// <summary>
    /// The ROC curve with OOD positive: one point per distinct score, thresholds descending, from (0, 0)
    /// to (1, 1); no point is dropped (scikit-learn's <c>drop_intermediate=False</c>).
    /// </summary>
    public IReadOnlyList<RocPoint> GetRocCurve() => ThresholdWalk.RocCurve(Groups);

    /// <summary>The precision-recall curve with OOD positive (the one under AUPR-Out), recall rising.</summary>
    public IReadOnlyList<PrecisionRecallPoint> GetPrecisionRecallCurveOut() => ThresholdWalk.PrecisionRecallCurveOut(Groups);

    /// <summary>The precision-recall curve with ID positive (the one under AUPR-In), recall rising.</summary>
    public IReadOnlyList<PrecisionRecallPoint> GetPrecisionRecallCurveIn() => ThresholdWalk.PrecisionRecallCurveIn(Groups);

    /// <summary>A multi-line summary: each metric, its value and which direction is better.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"OOD detection metrics ({InDistributionCount:N0} ID rows, {OodCount:N0} OOD rows; score higher = OOD)");
        Line(sb, "AUROC", AreaUnderRocCurve, "higher is better");
        Line(sb, "AUPR-In", AreaUnderPrecisionRecallCurveIn, "higher is better");
        Line(sb, "AUPR-Out", AreaUnderPrecisionRecallCurveOut, "higher is better");
        Line(sb, "FPR@95TPR", FalsePositiveRateAtTruePositiveRate95, "lower is better; ID positive, papers' definition");
        Line(sb, "FPR@95TPR OOD-positive", FalsePositiveRateAtOodTruePositiveRate95, "lower is better; OpenOOD v1.5");
        Line(sb, "Detection error", DetectionError, "lower is better");
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string name, double value, string note) =>
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {name,-24}{value,8:F4}  ({note})");
}
