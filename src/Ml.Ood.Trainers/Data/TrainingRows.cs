using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms;

namespace Ml.Ood.Trainers;

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
                throw new ArgumentException(
                    $"Column '{embeddingColumn}' has a NaN or infinite value in row {rows}; OOD heads need finite embeddings.", nameof(data));
            onRow(dense, getLabel?.Invoke(rows) ?? 0);
            rows++;
            if (rows % 100_000 == 0)
                channel.Info(MessageSensitivity.None, $"Read {rows:N0} rows of '{embeddingColumn}'.");
        }
        return rows;
    }

    /// <summary>Label columns: ML.NET keys (from MapValueToKey) or whole numbers stored as Single, Double or Int32.</summary>
    public static DataViewSchema.Column LabelColumn(DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), OodErrors.Format(OodErrors.ColumnNotFound, name));
        bool supported = column.Type is KeyDataViewType
            || column.Type == NumberDataViewType.Single || column.Type == NumberDataViewType.Double || column.Type == NumberDataViewType.Int32;
        if (!supported)
            throw new ArgumentOutOfRangeException(nameof(schema),
                OodErrors.Format(OodErrors.SchemaMismatch, name, "Key, Single, Double or Int32 class label", column.Type.ToString()!));
        return column;
    }

    private static Func<long, int> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        string name = column.Name;
        if (column.Type is KeyDataViewType)
        {
            var getter = cursor.GetGetter<uint>(column);
            uint key = 0;
            return row =>
            {
                getter(ref key);
                // Key 0 is ML.NET's missing value.
                return key == 0 ? throw MissingLabel(name, row) : (int)(key - 1);
            };
        }
        if (column.Type == NumberDataViewType.Int32)
        {
            var getter = cursor.GetGetter<int>(column);
            int value = 0;
            return row => { getter(ref value); return value; };
        }
        Func<double> read = column.Type == NumberDataViewType.Single ? ReadAs<float>(cursor, column) : ReadAs<double>(cursor, column);
        return row =>
        {
            double value = read();
            if (double.IsNaN(value) || value != Math.Floor(value) || value < int.MinValue || value > int.MaxValue)
                throw new ArgumentException($"Column '{name}' has label {value} in row {row}; class labels must be whole numbers.", nameof(column));
            return (int)value;
        };
    }

    private static Func<double> ReadAs<T>(DataViewRowCursor cursor, DataViewSchema.Column column) where T : IConvertible
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () => { getter(ref value); return value.ToDouble(null); };
    }

    private static ArgumentException MissingLabel(string name, long row)
        => new($"Column '{name}' has a missing label (key 0) in row {row}.", nameof(name));
}
