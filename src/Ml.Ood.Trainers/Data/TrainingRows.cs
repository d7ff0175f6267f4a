using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Ml.Ood.Trainers.Data;

/// <summary>
/// Reads a training view once, with one cursor, so that an upstream ONNX encoder runs once per row: the
/// embedding column and optionally a label column, checking that every value is finite.
/// </summary>
internal static class TrainingRows
{
    /// <summary>Calls <paramref name="onRow"/> with each row's embedding and label (0 when there is none).</summary>
    /// <returns>The number of rows read.</returns>
    public static long Read(IHost host, IDataView data, string embeddingColumn, string? labelColumn, Action<ReadOnlySpan<float>, int> onRow)
    {
        var embedding = data.Schema[embeddingColumn];
        var label = labelColumn is null ? (DataViewSchema.Column?)null : LabelColumn(data.Schema, labelColumn);
        var columns = label is null ? new[] { embedding } : [embedding, label.Value];
        using var channel = host.Start("Reading training rows");
        using var cursor = data.GetRowCursor(columns);
        var getEmbedding = cursor.GetGetter<VBuffer<float>>(embedding);
        var getLabel = label is null ? null : LabelGetter(cursor, label.Value);
        VBuffer<float> row = default;
        long rows = 0;
        var dense = new float[((VectorDataViewType)embedding.Type).Size];
        while (cursor.MoveNext())
        {
            getEmbedding(ref row);
            row.CopyTo(dense);
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(dense))
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.EmbeddingNotFinite, embeddingColumn, rows), nameof(data));
            }

            onRow(dense, getLabel?.Invoke(rows) ?? 0);
            rows++;
            if (rows % 100_000 == 0)
            {
                channel.Info(MessageSensitivity.None, $"Read {rows:N0} rows of '{embeddingColumn}'.");
            }
        }
        return rows;
    }

    /// <summary>
    /// The label column, of any type MlOod accepts for a class label (<see cref="ClassLabels"/>: keys of any raw
    /// integer type, every integer type, Single/Double holding whole non-negative numbers), the same set as the
    /// evaluators; otherwise ML.NET's schema error.
    /// </summary>
    public static DataViewSchema.Column LabelColumn(DataViewSchema schema, string name) => ClassLabels.Column(schema, name, nameof(schema));

    private static Func<long, int> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column) => ClassLabels.Getter(cursor, column);
}
