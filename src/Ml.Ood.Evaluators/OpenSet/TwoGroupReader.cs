using System.Numerics;
using Microsoft.ML;
using Ml.Ood.Evaluators.Common;

namespace Ml.Ood;

/// <summary>
/// Reads a view split by a Boolean truth column (unknown vs known, new vs base) into per-group scores and
/// per-row correctness, with one cursor. Generic in the score type, so Double scores stay Double.
/// </summary>
internal static class TwoGroupReader
{
    public sealed record Rows<T>(T[] UnflaggedScores, bool[] UnflaggedCorrect, T[] FlaggedScores, bool[] FlaggedCorrect);

    /// <param name="data">The view.</param>
    /// <param name="flag">Boolean truth column that splits the rows, already checked by <see cref="DataViewColumns.Truth"/>.</param>
    /// <param name="flagArgumentName">The caller's parameter that named <paramref name="flag"/>, for the exceptions.</param>
    /// <param name="score">Score column of type <typeparamref name="T"/>.</param>
    /// <param name="correctness">Where each row's correctness comes from.</param>
    /// <param name="readFlaggedCorrect">False when flagged rows have no class to get right (open-set unknowns): not read.</param>
    public static Rows<T> Read<T>(
        IDataView data, DataViewSchema.Column flag, string flagArgumentName, DataViewSchema.Column score, CorrectnessColumns correctness, bool readFlaggedCorrect)
        where T : struct, IFloatingPointIeee754<T>
    {
        List<T> scores0 = [], scores1 = [];
        List<bool> correct0 = [], correct1 = [];
        using (var cursor = data.GetRowCursor([flag, score, .. correctness.Columns]))
        {
            var getFlag = cursor.GetGetter<bool>(flag);
            var getScore = cursor.GetGetter<T>(score);
            var getCorrect = correctness.Getter(cursor);
            bool isFlagged = false;
            T value = default;
            for (long row = 0; cursor.MoveNext(); row++)
            {
                getFlag(ref isFlagged);
                getScore(ref value);
                (isFlagged ? scores1 : scores0).Add(DataViewColumns.Finite(value, score.Name, row));
                if (!isFlagged || readFlaggedCorrect)
                {
                    (isFlagged ? correct1 : correct0).Add(getCorrect(row));
                }
            }
        }

        if (scores0.Count == 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.NoInDistributionRows, flag.Name), flagArgumentName);
        }

        if (scores1.Count == 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.NoOodRows, flag.Name), flagArgumentName);
        }

        return new Rows<T>([.. scores0], [.. correct0], [.. scores1], [.. correct1]);
    }
}
