using System.Numerics;
using Microsoft.ML;
using Ml.Ood.Evaluators.Common;

namespace Ml.Ood;

/// <summary>
/// The evaluators on the MlOod catalog: <c>ml.Ood().Evaluate(...)</c> and friends. Each reads the view
/// once, with one cursor over only the columns it needs, and returns a metrics class whose
/// <c>ToString()</c> prints every value with the direction that is better.
/// </summary>
/// <remarks>
/// Lives in namespace <c>Ml.Ood</c>, beside <see cref="OodCatalog"/> and the metrics types, so that the methods
/// and what they return are found without another <c>using</c>.
/// <para>
/// The Boolean ground-truth columns (is OOD, is unknown, is new, is correct) have no default name, and a
/// column that MlOod marked as its own decision (<see cref="OodAnnotations.IsDecision"/>, e.g. the Threshold
/// head's output) is refused: a detector evaluated against its own decisions scores perfectly, whatever the
/// truth. Scores may be Single or Double; Double is compared as Double, never rounded to Single.
/// </para>
/// <para>
/// Class labels may be any ML.NET key, any integer type, or Single/Double holding whole non-negative numbers
/// (the same set the MlOod trainers accept). Bad input throws: <see cref="ArgumentOutOfRangeException"/> for
/// a missing column or a column of the wrong type (ML.NET's wording) and for K or a label out of range;
/// <see cref="ArgumentException"/> for a decision column given as truth, NaN or infinite scores, a label that
/// names no class, and data that leaves a metric undefined (no ID rows, no OOD rows, ...).
/// </para>
/// </remarks>
public static partial class OodCatalogEvaluationExtensions
{
    /// <summary>OOD detection metrics (AUROC, AUPR-In/Out, FPR@95TPR both ways, detection error, curves).</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="isOodColumnName">
    /// Boolean ground-truth column: true for out-of-distribution rows. Not an MlOod decision column such as the
    /// Threshold head's output, which is refused.
    /// </param>
    /// <param name="scoreColumnName">Single or Double score column, higher = more likely OOD.</param>
    public static OodDetectionMetrics Evaluate(this OodCatalog catalog, IDataView data, string isOodColumnName, string scoreColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var isOod = DataViewColumns.Truth(data, isOodColumnName, nameof(isOodColumnName));
        var score = DataViewColumns.Score(data, scoreColumnName, nameof(scoreColumnName));
        return new OodDetectionMetrics(IsDouble(score) ? Groups<double>(data, isOod, score) : Groups<float>(data, isOod, score));
    }

    /// <summary>Open-set metrics: OpenAUC, closed-set accuracy on known rows, known-vs-unknown AUROC.</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored data with known-class and unknown-class rows.</param>
    /// <param name="isUnknownColumnName">Boolean ground-truth column: true for rows of unknown classes (their correctness is not read).</param>
    /// <param name="isCorrectColumnName">Boolean column: true where the closed-set prediction of a known row is its true class.</param>
    /// <param name="scoreColumnName">Single or Double open-set score, higher = more likely unknown.</param>
    public static OpenSetMetrics EvaluateOpenSet(
        this OodCatalog catalog, IDataView data, string isUnknownColumnName, string isCorrectColumnName, string scoreColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var flag = DataViewColumns.Truth(data, isUnknownColumnName, nameof(isUnknownColumnName));
        var score = DataViewColumns.Score(data, scoreColumnName, nameof(scoreColumnName));
        var correctness = CorrectnessColumns.FromColumn(data, isCorrectColumnName, nameof(isCorrectColumnName));
        return OpenSet(data, flag, nameof(isUnknownColumnName), score, correctness);
    }

    /// <summary>Open-set metrics, a known row counting as correct when its predicted label equals its label.</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored data with known-class and unknown-class rows.</param>
    /// <param name="isUnknownColumnName">Boolean ground-truth column: true for rows of unknown classes (their labels are not read).</param>
    /// <param name="labelColumnName">True class of known rows: a key, an integer, or a whole non-negative Single/Double.</param>
    /// <param name="predictedLabelColumnName">Closed-set prediction, of the same type as the label.</param>
    /// <param name="scoreColumnName">Single or Double open-set score, higher = more likely unknown.</param>
    public static OpenSetMetrics EvaluateOpenSet(
        this OodCatalog catalog, IDataView data, string isUnknownColumnName, string labelColumnName, string predictedLabelColumnName, string scoreColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var flag = DataViewColumns.Truth(data, isUnknownColumnName, nameof(isUnknownColumnName));
        var score = DataViewColumns.Score(data, scoreColumnName, nameof(scoreColumnName));
        var correctness = CorrectnessColumns.FromLabels(data, labelColumnName, nameof(labelColumnName), predictedLabelColumnName, nameof(predictedLabelColumnName));
        return OpenSet(data, flag, nameof(isUnknownColumnName), score, correctness);
    }

    /// <summary>Open-world metrics (Hua et al., ICML 2025): OpenworldAUC, base and new accuracy, base-vs-new AUROC.</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored data with base-domain and new-domain rows.</param>
    /// <param name="isNewColumnName">Boolean ground-truth column: true for new-domain rows.</param>
    /// <param name="isCorrectColumnName">
    /// Boolean column: true where the row's own domain classifier (base classes for base rows, new classes for
    /// new rows) predicts its true class.
    /// </param>
    /// <param name="scoreColumnName">Single or Double detection score, higher = more likely new.</param>
    public static OpenWorldMetrics EvaluateOpenWorld(
        this OodCatalog catalog, IDataView data, string isNewColumnName, string isCorrectColumnName, string scoreColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var flag = DataViewColumns.Truth(data, isNewColumnName, nameof(isNewColumnName));
        var score = DataViewColumns.Score(data, scoreColumnName, nameof(scoreColumnName));
        var correctness = CorrectnessColumns.FromColumn(data, isCorrectColumnName, nameof(isCorrectColumnName));
        return OpenWorld(data, flag, nameof(isNewColumnName), score, correctness);
    }

    /// <summary>Open-world metrics, a row counting as correct when its predicted label equals its label.</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored data with base-domain and new-domain rows.</param>
    /// <param name="isNewColumnName">Boolean ground-truth column: true for new-domain rows.</param>
    /// <param name="labelColumnName">True class: a key, an integer, or a whole non-negative Single/Double.</param>
    /// <param name="predictedLabelColumnName">
    /// The prediction of the row's own domain classifier (base classes for base rows, new classes for new
    /// rows), of the same type as the label.
    /// </param>
    /// <param name="scoreColumnName">Single or Double detection score, higher = more likely new.</param>
    public static OpenWorldMetrics EvaluateOpenWorld(
        this OodCatalog catalog, IDataView data, string isNewColumnName, string labelColumnName, string predictedLabelColumnName, string scoreColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var flag = DataViewColumns.Truth(data, isNewColumnName, nameof(isNewColumnName));
        var score = DataViewColumns.Score(data, scoreColumnName, nameof(scoreColumnName));
        var correctness = CorrectnessColumns.FromLabels(data, labelColumnName, nameof(labelColumnName), predictedLabelColumnName, nameof(predictedLabelColumnName));
        return OpenWorld(data, flag, nameof(isNewColumnName), score, correctness);
    }

    private static bool IsDouble(DataViewSchema.Column score) => score.Type.RawType == typeof(double);

    private static ScoreGroups Groups<T>(IDataView data, DataViewSchema.Column isOodColumn, DataViewSchema.Column scoreColumn)
        where T : struct, IFloatingPointIeee754<T>
    {
        var id = new List<T>();
        var ood = new List<T>();
        using (var cursor = data.GetRowCursor([isOodColumn, scoreColumn]))
        {
            var getIsOod = cursor.GetGetter<bool>(isOodColumn);
            var getScore = cursor.GetGetter<T>(scoreColumn);
            bool isOod = false;
            T score = default;
            for (long row = 0; cursor.MoveNext(); row++)
            {
                getIsOod(ref isOod);
                getScore(ref score);
                (isOod ? ood : id).Add(DataViewColumns.Finite(score, scoreColumn.Name, row));
            }
        }

        return ScoreGroups.FromUnsorted([.. id], [.. ood], isOodColumn.Name);
    }

    private static OpenSetMetrics OpenSet(
        IDataView data, DataViewSchema.Column flag, string flagArgumentName, DataViewSchema.Column score, CorrectnessColumns correctness)
    {
        return IsDouble(score) ? Compute<double>() : Compute<float>();

        OpenSetMetrics Compute<T>()
            where T : struct, IFloatingPointIeee754<T>
        {
            var rows = TwoGroupReader.Read<T>(data, flag, flagArgumentName, score, correctness, readFlaggedCorrect: false);
            return OodMetrics.OpenSet<T>(
                rows.UnflaggedScores, rows.UnflaggedCorrect, rows.FlaggedScores, "known rows of " + score.Name, "correctness", "unknown rows of " + score.Name);
        }
    }

    private static OpenWorldMetrics OpenWorld(
        IDataView data, DataViewSchema.Column flag, string flagArgumentName, DataViewSchema.Column score, CorrectnessColumns correctness)
    {
        return IsDouble(score) ? Compute<double>() : Compute<float>();

        OpenWorldMetrics Compute<T>()
            where T : struct, IFloatingPointIeee754<T>
        {
            var rows = TwoGroupReader.Read<T>(data, flag, flagArgumentName, score, correctness, readFlaggedCorrect: true);
            return OodMetrics.OpenWorld<T>(
                rows.UnflaggedScores, rows.UnflaggedCorrect, rows.FlaggedScores, rows.FlaggedCorrect, "base rows of " + score.Name, "new rows of " + score.Name);
        }
    }
}
