using Microsoft.ML;

namespace Ml.Ood.Evaluators;

/// <summary>
/// Reads a view split by a Boolean flag (unknown vs known, new vs base) into per-group scores and
/// per-row correctness (label == predicted label), with one cursor.
/// </summary>
internal static class TwoGroupReader
{
    public sealed record Rows(float[] UnflaggedScores, bool[] UnflaggedCorrect, float[] FlaggedScores, bool[] FlaggedCorrect);

    /// <param name="data">The view.</param>
    /// <param name="flagColumnName">Boolean column that splits the rows.</param>
    /// <param name="flagArgumentName">The caller's parameter name for the flag column, for error messages.</param>
    /// <param name="labelColumnName">Label column.</param>
    /// <param name="predictedColumnName">Predicted-label column.</param>
    /// <param name="scoreColumnName">Single score column.</param>
    /// <param name="readFlaggedLabels">False when flagged rows have no meaningful label (open-set unknowns).</param>
    public static Rows Read(
        IDataView data,
        string flagColumnName,
        string flagArgumentName,
        string labelColumnName,
        string predictedColumnName,
        string scoreColumnName,
        bool readFlaggedLabels)
    {
        var flagColumn = DataViewColumns.Boolean(data, flagColumnName, flagArgumentName);
        var labelColumn = DataViewColumns.Label(data, labelColumnName, nameof(labelColumnName));
        var predictedColumn = DataViewColumns.Label(data, predictedColumnName, "predictedLabelColumnName");
        var scoreColumn = DataViewColumns.Single(data, scoreColumnName, nameof(scoreColumnName));
        List<float> scores0 = [], scores1 = [];
        List<bool> correct0 = [], correct1 = [];
        using var cursor = data.GetRowCursor([flagColumn, labelColumn, predictedColumn, scoreColumn]);
        var getFlag = cursor.GetGetter<bool>(flagColumn);
        var getScore = cursor.GetGetter<float>(scoreColumn);
        var getLabel = DataViewColumns.LabelGetter(cursor, labelColumn);
        var getPredicted = DataViewColumns.LabelGetter(cursor, predictedColumn);
        bool flag = false;
        float score = 0;
        for (long row = 0; cursor.MoveNext(); row++)
        {
            getFlag(ref flag);
            getScore(ref score);
            (flag ? scores1 : scores0).Add(DataViewColumns.Finite(score, scoreColumnName, row));
            if (flag && !readFlaggedLabels)
            {
                continue;
            }

            int label = getLabel(row);
            int predicted = getPredicted(row);
            Guard.NonNegativeLabel(label, row, labelColumnName);
            (flag ? correct1 : correct0).Add(label == predicted);
        }

        if (scores0.Count == 0)
        {
            throw new ArgumentException(ErrorMessages.Format(ErrorMessages.NoInDistributionRows, flagColumnName), flagArgumentName);
        }

        if (scores1.Count == 0)
        {
            throw new ArgumentException(ErrorMessages.Format(ErrorMessages.NoOodRows, flagColumnName), flagArgumentName);
        }

        return new Rows([.. scores0], [.. correct0], [.. scores1], [.. correct1]);
    }
}
