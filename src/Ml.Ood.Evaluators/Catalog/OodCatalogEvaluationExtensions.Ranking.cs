using System.Numerics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Evaluators.Common;

namespace Ml.Ood;

public static partial class OodCatalogEvaluationExtensions
{
    /// <summary>Top-k metrics: AUTKC@K and the top-k accuracy for k = 1..K.</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored multiclass data.</param>
    /// <param name="labelColumnName">
    /// True class, below the score vector's size: a key, an integer, or a whole non-negative Single/Double.
    /// </param>
    /// <param name="scoreColumnName">Vector&lt;Single&gt; or Vector&lt;Double&gt; of known size C: one score per class, higher = more likely.</param>
    /// <param name="k">K, between 1 and C.</param>
    public static TopKMetrics EvaluateTopK(this OodCatalog catalog, IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score", int k = 5)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var labelColumn = DataViewColumns.Label(data, labelColumnName, nameof(labelColumnName));
        var scoreColumn = DataViewColumns.Vector(
            data, scoreColumnName, nameof(scoreColumnName), OodErrors.ExpectedScoreVector, NumberDataViewType.Single, NumberDataViewType.Double);
        var vector = (VectorDataViewType)scoreColumn.Type;
        Guard.KInRange(k, vector.Size, nameof(k));
        return vector.ItemType.RawType == typeof(double)
            ? TopK<double>(data, labelColumn, scoreColumn, vector.Size, k)
            : TopK<float>(data, labelColumn, scoreColumn, vector.Size, k);
    }

    /// <summary>Multi-label ranking metrics at K: TKPR@K, precision@K, recall@K, mAP@K, NDCG@K, ranking loss.</summary>
    /// <param name="catalog">The MlOod catalog, <c>ml.Ood()</c>.</param>
    /// <param name="data">Scored multi-label data.</param>
    /// <param name="labelColumnName">Vector&lt;Boolean&gt; (true = relevant) or Vector&lt;Single&gt; (&gt; 0 = relevant), the score vector's size.</param>
    /// <param name="scoreColumnName">Vector&lt;Single&gt; or Vector&lt;Double&gt; of known size C: one score per label, higher = more relevant.</param>
    /// <param name="k">K, between 1 and C; every row with a relevant label needs at least K irrelevant ones.</param>
    public static MultiLabelRankingMetrics EvaluateMultiLabelRanking(
        this OodCatalog catalog, IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score", int k = 3)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var scoreColumn = DataViewColumns.Vector(
            data, scoreColumnName, nameof(scoreColumnName), OodErrors.ExpectedScoreVector, NumberDataViewType.Single, NumberDataViewType.Double);
        var labelColumn = DataViewColumns.Vector(
            data, labelColumnName, nameof(labelColumnName), OodErrors.ExpectedRelevanceVector, BooleanDataViewType.Instance, NumberDataViewType.Single);
        var vector = (VectorDataViewType)scoreColumn.Type;
        int labelSize = ((VectorDataViewType)labelColumn.Type).Size;
        if (labelSize != vector.Size)
        {
            throw DataViewColumns.Mismatch(labelColumnName, nameof(labelColumnName), OodErrors.Format(OodErrors.ExpectedVectorOfSize, vector.Size), labelColumn.Type);
        }

        Guard.KInRange(k, vector.Size, nameof(k));
        return vector.ItemType.RawType == typeof(double)
            ? MultiLabel<double>(data, labelColumn, scoreColumn, vector.Size, k)
            : MultiLabel<float>(data, labelColumn, scoreColumn, vector.Size, k);
    }

    private static TopKMetrics TopK<T>(IDataView data, DataViewSchema.Column labelColumn, DataViewSchema.Column scoreColumn, int classes, int k)
        where T : struct, IFloatingPointIeee754<T>
    {
        var hits = new long[k + 1];
        var dense = new T[classes];
        long rows = 0;
        using (var cursor = data.GetRowCursor([labelColumn, scoreColumn]))
        {
            var getLabel = DataViewColumns.LabelGetter(cursor, labelColumn);
            var getScores = cursor.GetGetter<VBuffer<T>>(scoreColumn);
            VBuffer<T> buffer = default;
            for (; cursor.MoveNext(); rows++)
            {
                int label = getLabel(rows);
                Guard.Label(label, classes, rows, labelColumn.Name);
                getScores(ref buffer);
                buffer.CopyTo(dense);
                FiniteRow<T>(dense, scoreColumn.Name, rows);
                int rank = OodMetrics.RankOfTrueLabel<T>(dense, label);
                if (rank <= k)
                {
                    hits[rank]++;
                }
            }
        }

        Guard.NotEmpty((int)Math.Min(rows, int.MaxValue), scoreColumn.Name);
        return OodMetrics.TopKFromRankCounts(hits, k, checked((int)rows));
    }

    private static MultiLabelRankingMetrics MultiLabel<T>(
        IDataView data, DataViewSchema.Column labelColumn, DataViewSchema.Column scoreColumn, int labels, int k)
        where T : struct, IFloatingPointIeee754<T>
    {
        var accumulator = new MultiLabelRankingAccumulator(labels, k, labelColumn.Name);
        using var cursor = data.GetRowCursor([labelColumn, scoreColumn]);
        var readPositives = MultiLabelReader(cursor, labelColumn, labels);
        var getScores = cursor.GetGetter<VBuffer<T>>(scoreColumn);
        VBuffer<T> buffer = default;
        var dense = new T[labels];
        for (long row = 0; cursor.MoveNext(); row++)
        {
            getScores(ref buffer);
            buffer.CopyTo(dense);
            FiniteRow<T>(dense, scoreColumn.Name, row);
            accumulator.Add<T>(dense, readPositives(), row);
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

    private static void FiniteRow<T>(ReadOnlySpan<T> values, string columnName, long row)
        where T : struct, IFloatingPointIeee754<T>
    {
        foreach (T v in values)
        {
            DataViewColumns.Finite(v, columnName, row);
        }
    }
}
