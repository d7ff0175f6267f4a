namespace Ml.Ood;

/// <summary>
/// The OOD detection metrics as walks over <see cref="ScoreGroups"/>. Conventions (docs/FORMULAS.md, docs/ARCHITECTURE.md
/// section 2): higher score = more likely OOD; a threshold t flags a row as OOD when score &gt;= t, and
/// keeps it as ID when score &lt;= t on the ID-side curves, so tied rows always move together.
/// </summary>
internal static class ThresholdWalk
{
    /// <summary>P(OOD score &gt; ID score) + 1/2 P(equal): the Mann-Whitney U statistic over all pairs.</summary>
    public static double AreaUnderRocCurve(ScoreGroups g)
    {
        long twice = 0;
        long idBelow = 0;
        for (int j = 0; j < g.Count; j++)
        {
            twice += (long)g.OodCounts[j] * (2 * idBelow + g.IdCounts[j]);
            idBelow += g.IdCounts[j];
        }

        return twice / (2.0 * g.IdTotal * g.OodTotal);
    }

    /// <summary>
    /// Average precision with OOD as the positive class, ranking by descending score: scikit-learn's
    /// <c>average_precision_score</c>, AP = sum_n (R_n - R_{n-1}) P_n over tie groups, no interpolation.
    /// </summary>
    public static double AveragePrecisionOut(ScoreGroups g)
    {
        double sum = 0;
        long tp = 0, fp = 0;
        for (int j = g.Count - 1; j >= 0; j--)
        {
            tp += g.OodCounts[j];
            fp += g.IdCounts[j];
            if (g.OodCounts[j] != 0)
            {
                sum += g.OodCounts[j] * ((double)tp / (tp + fp));
            }
        }

        return sum / g.OodTotal;
    }

    /// <summary>Average precision with ID as the positive class, ranking by -score (ascending score).</summary>
    public static double AveragePrecisionIn(ScoreGroups g)
    {
        double sum = 0;
        long tp = 0, fp = 0;
        for (int j = 0; j < g.Count; j++)
        {
            tp += g.IdCounts[j];
            fp += g.OodCounts[j];
            if (g.IdCounts[j] != 0)
            {
                sum += g.IdCounts[j] * ((double)tp / (tp + fp));
            }
        }

        return sum / g.IdTotal;
    }

    /// <summary>
    /// The papers' FPR@TPR (Liu et al. 2020, Sun et al. 2022): the smallest threshold t that keeps at least
    /// <paramref name="idRate"/> of ID rows (score &lt;= t) and the fraction of OOD rows it keeps too. Same as
    /// scikit-learn's <c>roc_curve(is_id, -score)</c> at the first point with TPR &gt;= rate.
    /// </summary>
    public static double FalsePositiveRateAtIdRate(ScoreGroups g, double idRate) => OperatingPointAtIdRate(g, idRate).OodKept;

    /// <summary>The fractions of ID and of OOD rows kept as ID (score &lt;= t) at the threshold of <see cref="FalsePositiveRateAtIdRate"/>.</summary>
    public static (double IdKept, double OodKept) OperatingPointAtIdRate(ScoreGroups g, double idRate)
    {
        long id = 0, ood = 0;
        for (int j = 0; j < g.Count; j++)
        {
            id += g.IdCounts[j];
            ood += g.OodCounts[j];
            if ((double)id / g.IdTotal >= idRate)
            {
                break;
            }
        }

        return ((double)id / g.IdTotal, (double)ood / g.OodTotal);
    }

    /// <summary>
    /// OpenOOD v1.5's FPR@95 (OOD positive): the largest threshold t that flags at least
    /// <paramref name="oodRate"/> of OOD rows (score &gt;= t) and the fraction of ID rows it flags too.
    /// </summary>
    public static double FalsePositiveRateAtOodRate(ScoreGroups g, double oodRate)
    {
        long id = 0, ood = 0;
        for (int j = g.Count - 1; j >= 0; j--)
        {
            id += g.IdCounts[j];
            ood += g.OodCounts[j];
            if ((double)ood / g.OodTotal >= oodRate)
            {
                break;
            }
        }

        return (double)id / g.IdTotal;
    }

    /// <summary>
    /// Detection error as in ODIN (Liang et al., ICLR 2018) and Lee et al. (NeurIPS 2018) code:
    /// min over thresholds of 0.5 (1 - TPR) + 0.5 FPR, equal priors; the two trivial thresholds give 0.5.
    /// </summary>
    public static double DetectionError(ScoreGroups g)
    {
        double best = 0.5;
        long id = 0, ood = 0;
        for (int j = 0; j < g.Count; j++)
        {
            id += g.IdCounts[j];
            ood += g.OodCounts[j];
            double error = 0.5 * (1.0 - (double)id / g.IdTotal) + 0.5 * ((double)ood / g.OodTotal);
            best = Math.Min(best, error);
        }

        return best;
    }

    /// <summary>ROC points with OOD positive, from (0, 0) at +infinity down through every distinct score.</summary>
    public static RocPoint[] RocCurve(ScoreGroups g)
    {
        var points = new RocPoint[g.Count + 1];
        points[0] = new RocPoint(double.PositiveInfinity, 0, 0);
        long id = 0, ood = 0;
        for (int j = g.Count - 1, p = 1; j >= 0; j--, p++)
        {
            id += g.IdCounts[j];
            ood += g.OodCounts[j];
            points[p] = new RocPoint(g.Scores[j], (double)id / g.IdTotal, (double)ood / g.OodTotal);
        }

        return points;
    }

    /// <summary>Precision-recall points with OOD positive, recall rising, from (recall 0, precision 1).</summary>
    public static PrecisionRecallPoint[] PrecisionRecallCurveOut(ScoreGroups g)
    {
        var points = new PrecisionRecallPoint[g.Count + 1];
        points[0] = new PrecisionRecallPoint(double.PositiveInfinity, 0, 1);
        long tp = 0, fp = 0;
        for (int j = g.Count - 1, p = 1; j >= 0; j--, p++)
        {
            tp += g.OodCounts[j];
            fp += g.IdCounts[j];
            points[p] = new PrecisionRecallPoint(g.Scores[j], (double)tp / g.OodTotal, (double)tp / (tp + fp));
        }

        return points;
    }

    /// <summary>Precision-recall points with ID positive (score &lt;= threshold is ID), recall rising.</summary>
    public static PrecisionRecallPoint[] PrecisionRecallCurveIn(ScoreGroups g)
    {
        var points = new PrecisionRecallPoint[g.Count + 1];
        points[0] = new PrecisionRecallPoint(double.NegativeInfinity, 0, 1);
        long tp = 0, fp = 0;
        for (int j = 0; j < g.Count; j++)
        {
            tp += g.IdCounts[j];
            fp += g.OodCounts[j];
            points[j + 1] = new PrecisionRecallPoint(g.Scores[j], (double)tp / g.IdTotal, (double)tp / (tp + fp));
        }

        return points;
    }
}
