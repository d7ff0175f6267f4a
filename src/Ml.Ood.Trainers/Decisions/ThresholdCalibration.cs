using Microsoft.ML;

namespace Ml.Ood;

/// <summary>
/// The threshold t that keeps a fraction of the in-distribution scores: the smallest score such that at least that
/// fraction of the ID scores are &lt;= t (the FPR@95TPR convention of FORMULAS.md), read with one cursor.
/// </summary>
internal sealed record ThresholdCalibration(float Threshold, long IdRows, long SkippedOodRows)
{
    /// <param name="data">The view to calibrate on.</param>
    /// <param name="scoreColumn">The Single score column.</param>
    /// <param name="truthColumn">A Boolean column, true = out-of-distribution, whose true rows are skipped; null when every row is ID.</param>
    /// <param name="idTruePositiveRate">The fraction of ID rows to keep, in (0, 1].</param>
    public static ThresholdCalibration Fit(IDataView data, string scoreColumn, string? truthColumn, double idTruePositiveRate)
    {
        var score = data.Schema[scoreColumn];
        var truth = truthColumn is null ? (DataViewSchema.Column?)null : data.Schema[truthColumn];
        var scores = new List<float>();
        long row = 0, skipped = 0;
        using (var cursor = data.GetRowCursor(truth is null ? [score] : [score, truth.Value]))
        {
            var getScore = cursor.GetGetter<float>(score);
            var getTruth = truth is null ? null : cursor.GetGetter<bool>(truth.Value);
            float value = 0;
            bool isOod = false;
            for (; cursor.MoveNext(); row++)
            {
                getTruth?.Invoke(ref isOod);
                if (isOod)
                {
                    skipped++;
                    continue;
                }
                getScore(ref value);
                // An ID row without a finite score means the scoring upstream failed; calibrating around it would
                // move t silently, so stop and name the row.
                if (!float.IsFinite(value))
                {
                    throw new ArgumentException(
                        OodErrors.Format(OodErrors.CalibrationScoreNotFinite, scoreColumn, float.IsNaN(value) ? "a NaN" : "an infinite", row), "input");
                }
                scores.Add(value);
            }
        }
        if (scores.Count == 0)
        {
            throw new InvalidOperationException(row == 0
                ? OodErrors.Format(OodErrors.CalibrationNoRows, scoreColumn)
                : OodErrors.Format(OodErrors.CalibrationNoIdRows, scoreColumn, row, truthColumn!));
        }
        scores.Sort();
        // The ceil(rate * n)-th smallest score; the 1e-9 keeps 0.95 * 20 = 19.000000000000004 from rounding up to 20.
        int index = (int)Math.Ceiling(idTruePositiveRate * scores.Count - 1e-9) - 1;
        return new ThresholdCalibration(scores[Math.Clamp(index, 0, scores.Count - 1)], scores.Count, skipped);
    }
}
