using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Evaluators;

namespace Ml.Ood;

/// <summary>
/// The evaluators on the MlOod catalog: <c>ml.Ood().Evaluate(...)</c> and friends. Each reads the view
/// once, with one cursor over only the columns it needs, and returns a metrics class whose
/// <c>ToString()</c> prints every value with the direction that is better.
/// </summary>
/// <remarks>
/// Lives in namespace <c>Ml.Ood</c>, beside <see cref="OodCatalog"/>, so that the methods are found
/// without another <c>using</c>; the metrics types are in <c>Ml.Ood.Evaluators</c>. Bad input throws:
/// <see cref="ArgumentOutOfRangeException"/> for a missing column or a column of the wrong type (ML.NET's
/// wording) and for K or a label out of range; <see cref="ArgumentException"/> for NaN or infinite scores
/// and for data that leaves a metric undefined (no ID rows, no OOD rows, ...).
/// </remarks>
public static class OodCatalogEvaluationExtensions
{
    /// <summary>OOD detection metrics (AUROC, AUPR-In/Out, FPR@95TPR both ways, detection error, curves).</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored data.</param>
    /// <param name="isOodColumnName">Boolean truth column: true for out-of-distribution rows.</param>
    /// <param name="scoreColumnName">Single score column, higher = more likely OOD.</param>
    public static OodDetectionMetrics Evaluate(this OodCatalog catalog, IDataView data, string isOodColumnName = "IsOod", string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var isOodColumn = DataViewColumns.Boolean(data, isOodColumnName, nameof(isOodColumnName));
        var scoreColumn = DataViewColumns.Single(data, scoreColumnName, nameof(scoreColumnName));
        var id = new List<float>();
        var ood = new List<float>();
        using (var cursor = data.GetRowCursor([isOodColumn, scoreColumn]))
        {
            var getIsOod = cursor.GetGetter<bool>(isOodColumn);
            var getScore = cursor.GetGetter<float>(scoreColumn);
            bool isOod = false;
            float score = 0;
            for (long row = 0; cursor.MoveNext(); row++)
            {
                getIsOod(ref isOod);
                getScore(ref score);
                (isOod ? ood : id).Add(DataViewColumns.Finite(score, scoreColumnName, row));
            }
        }

        return new OodDetectionMetrics(ScoreGroups.FromUnsorted([.. id], [.. ood], isOodColumnName));
    }

    /// <summary>Open-set metrics: OpenAUC, closed-set accuracy on known rows, known-vs-unknown AUROC.</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored data with known-class and unknown-class rows.</param>
    /// <param name="isUnknownColumnName">Boolean column: true for rows of unknown classes (their labels are not read).</param>
    /// <param name="labelColumnName">True class of known rows: Key&lt;UInt32&gt; or a 0-based Int32/UInt32.</param>
    /// <param name="predictedLabelColumnName">Closed-set prediction, same type as the label.</param>
    /// <param name="scoreColumnName">Single open-set score, higher = more likely unknown.</param>
    public static OpenSetMetrics EvaluateOpenSet(
        this OodCatalog catalog,
        IDataView data,
        string isUnknownColumnName = "IsOod",
        string labelColumnName = "Label",
        string predictedLabelColumnName = "PredictedLabel",
        string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var rows = TwoGroupReader.Read(
            data, isUnknownColumnName, nameof(isUnknownColumnName), labelColumnName, predictedLabelColumnName, scoreColumnName, readFlaggedLabels: false);
        return OodMetrics.OpenSet(
            rows.UnflaggedScores, rows.UnflaggedCorrect, rows.FlaggedScores, "known rows of " + scoreColumnName, "unknown rows of " + scoreColumnName);
    }

    /// <summary>Open-world metrics (Hua et al., ICML 2025): OpenworldAUC, base and new accuracy, base-vs-new AUROC.</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored data with base-domain and new-domain rows.</param>
    /// <param name="isNewColumnName">Boolean column: true for new-domain rows.</param>
    /// <param name="labelColumnName">True class: Key&lt;UInt32&gt; or a 0-based Int32/UInt32.</param>
    /// <param name="predictedLabelColumnName">
    /// The prediction of the row's own domain classifier (base classes for base rows, new classes for new
    /// rows), in the label's encoding; a row counts as correct when it equals the label.
    /// </param>
    /// <param name="scoreColumnName">Single detection score, higher = more likely new.</param>
    public static OpenWorldMetrics EvaluateOpenWorld(
        this OodCatalog catalog,
        IDataView data,
        string isNewColumnName = "IsNew",
        string labelColumnName = "Label",
        string predictedLabelColumnName = "PredictedLabel",
        string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var rows = TwoGroupReader.Read(
            data, isNewColumnName, nameof(isNewColumnName), labelColumnName, predictedLabelColumnName, scoreColumnName, readFlaggedLabels: true);
        return OodMetrics.EvaluateOpenWorld(rows.UnflaggedScores, rows.UnflaggedCorrect, rows.FlaggedScores, rows.FlaggedCorrect);
    }

    /// <summary>Top-k metrics: AUTKC@K and the top-k accuracy for k = 1..K.</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored multiclass data.</param>
    /// <param name="labelColumnName">True class: Key&lt;UInt32&gt; or a 0-based Int32/UInt32, below the score vector's size.</param>
    /// <param name="scoreColumnName">Vector&lt;Single&gt; of known size C: one score per class, higher = more likely.</param>
    /// <param name="k">K, between 1 and C.</param>
    public static TopKMetrics EvaluateTopK(this OodCatalog catalog, IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score", int k = 5)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var labelColumn = DataViewColumns.Label(data, labelColumnName, nameof(labelColumnName));
        var scoreColumn = DataViewColumns.Vector(data, scoreColumnName, nameof(scoreColumnName), "Vector<Single>", NumberDataViewType.Single);
        int classes = ((VectorDataViewType)scoreColumn.Type).Size;
        Guard.KInRange(k, classes, nameof(k));
        var hits = new long[k + 1];
        var dense = new float[classes];
        long rows = 0;
        using (var cursor = data.GetRowCursor([labelColumn, scoreColumn]))
        {
            var getLabel = DataViewColumns.LabelGetter(cursor, labelColumn);
            var getScores = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            VBuffer<float> buffer = default;
            for (; cursor.MoveNext(); rows++)
            {
                int label = getLabel(rows);
                Guard.Label(label, classes, rows, labelColumnName);
                getScores(ref buffer);
                buffer.CopyTo(dense);
                FiniteRow(dense, scoreColumnName, rows);
                int rank = OodMetrics.RankOfTrueLabel(dense, label);
                if (rank <= k)
                {
                    hits[rank]++;
                }
            }
        }

        Guard.NotEmpty((int)Math.Min(rows, int.MaxValue), scoreColumnName);
        return OodMetrics.TopKFromRankCounts(hits, k, checked((int)rows));
    }

    /// <summary>Multi-label ranking metrics at K: TKPR@K, precision@K, recall@K, mAP@K, NDCG@K, ranking loss.</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored multi-label data.</param>
    /// <param name="labelColumnName">Vector&lt;Boolean&gt; (true = relevant) or Vector&lt;Single&gt; (&gt; 0 = relevant), the score vector's size.</param>
    /// <param name="scoreColumnName">Vector&lt;Single&gt; of known size C: one score per label, higher = more relevant.</param>
    /// <param name="k">K, between 1 and C; every row with a relevant label needs at least K irrelevant ones.</param>
    public static MultiLabelRankingMetrics EvaluateMultiLabelRanking(
        this OodCatalog catalog, IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score", int k = 3)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var scoreColumn = DataViewColumns.Vector(data, scoreColumnName, nameof(scoreColumnName), "Vector<Single>", NumberDataViewType.Single);
        var labelColumn = DataViewColumns.Vector(
            data, labelColumnName, nameof(labelColumnName), "Vector<Boolean> or Vector<Single>", BooleanDataViewType.Instance, NumberDataViewType.Single);
        int labels = ((VectorDataViewType)scoreColumn.Type).Size;
        int labelSize = ((VectorDataViewType)labelColumn.Type).Size;
        if (labelSize != labels)
        {
            throw DataViewColumns.Mismatch(labelColumnName, nameof(labelColumnName), $"a vector of size {labels}", labelColumn.Type);
        }

        Guard.KInRange(k, labels, nameof(k));
        var accumulator = new MultiLabelRankingAccumulator(labels, k, labelColumnName);
        using var cursor = data.GetRowCursor([labelColumn, scoreColumn]);
        var readPositives = MultiLabelReader(cursor, labelColumn, labels);
        var getScores = cursor.GetGetter<VBuffer<float>>(scoreColumn);
        VBuffer<float> buffer = default;
        var dense = new float[labels];
        for (long row = 0; cursor.MoveNext(); row++)
        {
            getScores(ref buffer);
            buffer.CopyTo(dense);
            FiniteRow(dense, scoreColumnName, row);
            accumulator.Add(dense, readPositives(), row);
        }

        return accumulator.Result();
    }

    private static Func<bool[]> MultiLabelReader(DataViewRowCursor cursor, DataViewSchema.Column column, int size)
    {
        var positives = new bool[size];
        if (((VectorDataViewType)column.Type).ItemType == BooleanDataViewType.Instance)
        {
            var get = cursor.GetGetter<VBuffer<bool>>(column);
            VBuffer<bool> buffer = default;
            return () =>
            {
                get(ref buffer);
                buffer.CopyTo(positives);
                return positives;
            };
        }

        var getSingle = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> singles = default;
        var values = new float[size];
        return () =>
        {
            getSingle(ref singles);
            singles.CopyTo(values);
            for (int i = 0; i < size; i++)
            {
                positives[i] = values[i] > 0;
            }

            return positives;
        };
    }

    private static void FiniteRow(ReadOnlySpan<float> values, string columnName, long row)
    {
        foreach (float v in values)
        {
            DataViewColumns.Finite(v, columnName, row);
        }
    }
}
