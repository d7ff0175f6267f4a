using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood;

/// <summary>
/// OODD's bank with informative inlier sampling (knn_postprocessor.py, <c>setup</c> and <c>conf_postprocess</c>): per
/// class, the training rows by MSP descending; the classes interleaved rank by rank in ascending label order; the first
/// floor(alpha N) rows kept, unit-normalised. Read with one cursor.
/// </summary>
/// <remarks>
/// Deviations: rows of equal MSP keep their order in the view (torch.argsort is not stable); the official normaliser adds
/// 1e-10 to every value after dividing by the norm, here rows are exactly unit (divided by their largest magnitude first);
/// zero-norm rows have no direction and are left out, before the fraction is taken. A NaN or infinite feature or logit is
/// an error naming the column and row.
/// </remarks>
internal static class OoddBank
{
    /// <summary>The bank's unit rows, transposed [width, rows] for the graph, and its row count.</summary>
    public static (float[] Transposed, int Rows) Read(IDataView data, string features, string? labels, string? logits, double alpha)
    {
        var featureColumn = data.Schema[features];
        int width = ((VectorDataViewType)featureColumn.Type).Size;
        bool informative = alpha < 1;
        var columns = new List<DataViewSchema.Column> { featureColumn };
        DataViewSchema.Column? labelColumn = null, logitsColumn = null;
        if (informative)
        {
            labelColumn = ClassLabels.Column(data.Schema, labels!, nameof(labels));
            logitsColumn = data.Schema[logits!];
            columns.Add(labelColumn.Value);
            columns.Add(logitsColumn.Value);
        }

        var rows = new List<float[]>();
        var classes = new List<int>();
        var msp = new List<float>();
        using (var cursor = data.GetRowCursor(columns))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
            var getLabel = labelColumn is { } l ? ClassLabels.Getter(cursor, l) : null;
            var getLogits = logitsColumn is { } g ? cursor.GetGetter<VBuffer<float>>(g) : null;
            VBuffer<float> buffer = default;
            long row = 0;
            while (cursor.MoveNext())
            {
                getFeatures(ref buffer);
                var dense = new float[width];
                buffer.CopyTo(dense);
                Finite(dense, features, row);
                float scale = TensorPrimitives.MaxMagnitude<float>(dense);
                if (getLogits is not null)
                {
                    getLogits(ref buffer);
                    var logitRow = buffer.DenseValues().ToArray();
                    Finite(logitRow, logits!, row);
                    if (scale != 0)
                    {
                        msp.Add(MaxSoftmax(logitRow));
                        classes.Add(getLabel!(row));
                    }
                }
                if (scale != 0)
                {
                    scale = Math.Abs(scale);
                    TensorPrimitives.Divide(dense, scale, dense);
                    TensorPrimitives.Divide(dense, TensorPrimitives.Norm<float>(dense), dense);
                    rows.Add(dense);
                }
                row++;
            }
        }

        int keep = (int)Math.Floor(alpha * rows.Count);
        var order = informative ? InformativeOrder(classes, msp) : Enumerable.Range(0, rows.Count).ToArray();
        var transposed = new float[(long)width * keep];
        for (int r = 0; r < keep; r++)
        {
            var source = rows[order[r]];
            for (int d = 0; d < width; d++)
            {
                transposed[(long)d * keep + r] = source[d];
            }
        }
        return (transposed, keep);
    }

    /// <summary>Per class by MSP descending (stable), classes in ascending label order, interleaved rank by rank.</summary>
    internal static int[] InformativeOrder(IReadOnlyList<int> classes, IReadOnlyList<float> msp)
    {
        var byClass = Enumerable.Range(0, classes.Count)
            .GroupBy(i => classes[i])
            .OrderBy(g => g.Key)
            .Select(g => g.OrderByDescending(i => msp[i]).ToArray())
            .ToArray();
        int longest = byClass.Length == 0 ? 0 : byClass.Max(c => c.Length);
        var order = new List<int>(classes.Count);
        for (int rank = 0; rank < longest; rank++)
        {
            foreach (var members in byClass)
            {
                if (rank < members.Length)
                {
                    order.Add(members[rank]);
                }
            }
        }
        return [.. order];
    }

    /// <summary>The largest softmax probability: 1 / sum exp(z - max z).</summary>
    private static float MaxSoftmax(float[] logits)
    {
        float max = TensorPrimitives.Max<float>(logits);
        double sum = 0;
        foreach (float z in logits)
        {
            sum += Math.Exp(z - max);
        }
        return (float)(1 / sum);
    }

    private static void Finite(float[] values, string column, long row)
    {
        if (!TensorPrimitives.IsFiniteAll<float>(values))
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.EmbeddingNotFinite, column, row), "data");
        }
    }
}
