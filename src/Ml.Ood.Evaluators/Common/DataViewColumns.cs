using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Evaluators.Common;

/// <summary>
/// Column lookups and typed getters for the <c>IDataView</c> entries, with ML.NET's own schema error
/// wording ("Could not find input column", "Schema mismatch for input column").
/// </summary>
internal static class DataViewColumns
{
    public static DataViewSchema.Column Find(IDataView data, string columnName, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(columnName, argumentName);
        return data.Schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(argumentName, OodErrors.Format(OodErrors.ColumnNotFound, columnName));
    }

    /// <summary>
    /// A Boolean column read as ground truth (is OOD, is unknown, is new, is correct). MlOod's own decision
    /// columns are refused: evaluating a detector against its own prediction yields perfect metrics.
    /// </summary>
    public static DataViewSchema.Column Truth(IDataView data, string columnName, string argumentName)
    {
        var column = Find(data, columnName, argumentName);
        if (!column.Type.Equals(BooleanDataViewType.Instance))
        {
            throw Mismatch(columnName, argumentName, "Boolean", column.Type);
        }

        return OodAnnotations.IsDecision(column)
            ? throw new ArgumentException(OodErrors.Format(OodErrors.DecisionNotEvaluationTruth, columnName), argumentName)
            : column;
    }

    /// <summary>A scalar score column, Single or Double; Double is read as Double, never rounded to Single.</summary>
    public static DataViewSchema.Column Score(IDataView data, string columnName, string argumentName)
    {
        var column = Find(data, columnName, argumentName);
        return column.Type.Equals(NumberDataViewType.Single) || column.Type.Equals(NumberDataViewType.Double)
            ? column
            : throw Mismatch(columnName, argumentName, OodErrors.ExpectedScore, column.Type);
    }

    /// <summary>A class-label column of any type MlOod accepts (<see cref="ClassLabels"/>).</summary>
    public static DataViewSchema.Column Label(IDataView data, string columnName, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(data);
        return ClassLabels.Column(data.Schema, columnName, argumentName);
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
            throw new ArgumentOutOfRangeException(argumentName, OodErrors.Format(OodErrors.VectorSizeUnknown, columnName, column.Type));
        }

        return column;
    }

    /// <summary>A getter of 0-based class labels; a label that names no class is an error naming the row.</summary>
    public static Func<long, int> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column column) => ClassLabels.Getter(cursor, column);

    /// <summary>Reads a finite score, or throws naming the column and the row.</summary>
    public static T Finite<T>(T value, string columnName, long row)
        where T : struct, System.Numerics.IFloatingPointIeee754<T> =>
        T.IsFinite(value) ? value : throw Guard.NonFinite(columnName, row);

    public static ArgumentOutOfRangeException Mismatch(string columnName, string argumentName, string expected, DataViewType actual) =>
        new(argumentName, OodErrors.Format(OodErrors.SchemaMismatch, columnName, expected, actual));
}
