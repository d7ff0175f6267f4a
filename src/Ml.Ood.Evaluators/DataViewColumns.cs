using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Evaluators;

/// <summary>
/// Column lookups and typed getters for the <c>IDataView</c> entries, with ML.NET's own schema error
/// wording ("Could not find input column", "Schema mismatch for input column").
/// </summary>
internal static class DataViewColumns
{
    public const string LabelTypes = "Key<UInt32>, Int32 or UInt32";

    public static DataViewSchema.Column Find(IDataView data, string columnName, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(columnName, argumentName);
        return data.Schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(argumentName, ErrorMessages.Format(ErrorMessages.ColumnNotFound, columnName));
    }

    public static DataViewSchema.Column Boolean(IDataView data, string columnName, string argumentName) =>
        OfType(data, columnName, argumentName, BooleanDataViewType.Instance, "Boolean");

    public static DataViewSchema.Column Single(IDataView data, string columnName, string argumentName) =>
        OfType(data, columnName, argumentName, NumberDataViewType.Single, "Single");

    /// <summary>A class-label column: a key (1-based, 0 = missing) or a plain 0-based integer.</summary>
    public static DataViewSchema.Column Label(IDataView data, string columnName, string argumentName)
    {
        var column = Find(data, columnName, argumentName);
        DataViewType type = column.Type;
        bool ok = type is KeyDataViewType { RawType: var raw } && raw == typeof(uint)
            || type == NumberDataViewType.Int32
            || type == NumberDataViewType.UInt32;
        return ok ? column : throw Mismatch(columnName, argumentName, LabelTypes, type);
    }

    /// <summary>A vector column of known size whose items are one of <paramref name="itemTypes"/>.</summary>
    public static DataViewSchema.Column Vector(IDataView data, string columnName, string argumentName, string expected, params DataViewType[] itemTypes)
    {
        var column = Find(data, columnName, argumentName);
        if (column.Type is not VectorDataViewType vector || !itemTypes.Contains(vector.ItemType))
        {
            throw Mismatch(columnName, argumentName, expected, column.Type);
        }

        if (!vector.IsKnownSize)
        {
            throw new ArgumentOutOfRangeException(argumentName, ErrorMessages.Format(ErrorMessages.VectorSizeUnknown, columnName, column.Type));
        }

        return column;
    }

    /// <summary>A getter of 0-based class labels; a missing key value is an error naming the row.</summary>
    public static Func<long, int> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        string name = column.Name;
        if (column.Type == NumberDataViewType.Int32)
        {
            var get = cursor.GetGetter<int>(column);
            int value = 0;
            return _ =>
            {
                get(ref value);
                return value;
            };
        }

        var getRaw = cursor.GetGetter<uint>(column);
        bool isKey = column.Type is KeyDataViewType;
        uint raw = 0;
        return row =>
        {
            getRaw(ref raw);
            if (isKey && raw == 0)
            {
                throw new ArgumentException(ErrorMessages.Format(ErrorMessages.LabelMissing, name, row), name);
            }

            long label = isKey ? raw - 1L : raw;
            return label <= int.MaxValue
                ? (int)label
                : throw new ArgumentOutOfRangeException(name, label, ErrorMessages.Format(ErrorMessages.LabelOutOfRange, name, label, row, int.MaxValue));
        };
    }

    /// <summary>Reads a finite score, or throws naming the column and the row.</summary>
    public static float Finite(float value, string columnName, long row) =>
        value - value == 0f ? value : throw Guard.NonFinite(columnName, row);

    public static ArgumentOutOfRangeException Mismatch(string columnName, string argumentName, string expected, DataViewType actual) =>
        new(argumentName, ErrorMessages.Format(ErrorMessages.SchemaMismatch, columnName, expected, actual));

    private static DataViewSchema.Column OfType(IDataView data, string columnName, string argumentName, DataViewType type, string expected)
    {
        var column = Find(data, columnName, argumentName);
        return column.Type.Equals(type) ? column : throw Mismatch(columnName, argumentName, expected, column.Type);
    }
}
