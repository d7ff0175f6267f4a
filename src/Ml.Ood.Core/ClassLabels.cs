using System.Numerics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood;

/// <summary>
/// The one reading of a class-label column that every MlOod package shares (evaluators and trainers alike), so
/// that a label accepted in one place is accepted, and means the same class, everywhere: ML.NET keys of any raw
/// integer type (1-based, 0 = missing), plain integers of any width (0-based), and Single or Double holding a
/// whole non-negative number (what <c>LoadFromTextFile</c> gives a numeric label column).
/// </summary>
/// <remarks>
/// A label that names no class (a missing key, NaN, a fraction) is an <see cref="ArgumentException"/>, and one
/// outside [0, <see cref="int.MaxValue"/>] an <see cref="ArgumentOutOfRangeException"/>; both name the column
/// and the row. Nothing is rounded or wrapped: a silently wrong class is worse than an error.
/// </remarks>
internal static class ClassLabels
{
    private static readonly Type[] IntegerTypes =
        [typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong)];

    /// <summary>Whether <paramref name="type"/> is one of the accepted label types.</summary>
    public static bool IsAccepted(DataViewType type) =>
        type is KeyDataViewType
        || (type is NumberDataViewType && (IntegerTypes.Contains(type.RawType) || type.RawType == typeof(float) || type.RawType == typeof(double)));

    /// <summary>The label column <paramref name="name"/>, or ML.NET's schema error naming it.</summary>
    /// <param name="schema">The schema to look in.</param>
    /// <param name="name">The label column's name.</param>
    /// <param name="argumentName">The caller's parameter that named the column, for the exception.</param>
    public static DataViewSchema.Column Column(DataViewSchema schema, string name, string argumentName)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentException.ThrowIfNullOrWhiteSpace(name, argumentName);
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(argumentName, OodErrors.Format(OodErrors.ColumnNotFound, name));
        return IsAccepted(column.Type)
            ? column
            : throw new ArgumentOutOfRangeException(argumentName, OodErrors.Format(OodErrors.SchemaMismatch, name, OodErrors.ExpectedClassLabel, column.Type));
    }

    /// <summary>
    /// A getter of the current row's 0-based class: key k gives k - 1, a number gives itself. Its argument is
    /// the row index, used only in the error message.
    /// </summary>
    public static Func<long, int> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        bool key = column.Type is KeyDataViewType;
        Type raw = column.Type.RawType;
        return raw switch
        {
            _ when raw == typeof(byte) => Integer<byte>(cursor, column, key),
            _ when raw == typeof(sbyte) => Integer<sbyte>(cursor, column, key),
            _ when raw == typeof(short) => Integer<short>(cursor, column, key),
            _ when raw == typeof(ushort) => Integer<ushort>(cursor, column, key),
            _ when raw == typeof(int) => Integer<int>(cursor, column, key),
            _ when raw == typeof(uint) => Integer<uint>(cursor, column, key),
            _ when raw == typeof(long) => Integer<long>(cursor, column, key),
            _ when raw == typeof(ulong) => Integer<ulong>(cursor, column, key),
            _ when raw == typeof(float) => Floating<float>(cursor, column),
            _ when raw == typeof(double) => Floating<double>(cursor, column),
            _ => throw new ArgumentOutOfRangeException(nameof(column), OodErrors.Format(OodErrors.SchemaMismatch, column.Name, OodErrors.ExpectedClassLabel, column.Type)),
        };
    }

    private static Func<long, int> Integer<T>(DataViewRowCursor cursor, DataViewSchema.Column column, bool key)
        where T : struct, IBinaryInteger<T>
    {
        var get = cursor.GetGetter<T>(column);
        string name = column.Name;
        T value = default;
        return row =>
        {
            get(ref value);

            // Int128 holds every value of every integer type, so the range check sees the true value.
            Int128 wide = Int128.CreateTruncating(value);
            if (key)
            {
                if (wide == 0)
                {
                    throw new ArgumentException(OodErrors.Format(OodErrors.ClassLabelMissingKey, name, row), name);
                }

                wide--;
            }

            return wide >= 0 && wide <= int.MaxValue
                ? (int)wide
                : throw new ArgumentOutOfRangeException(name, OodErrors.Format(OodErrors.ClassLabelOutOfRange, name, value, row, int.MaxValue));
        };
    }

    private static Func<long, int> Floating<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
        where T : struct, IFloatingPointIeee754<T>
    {
        var get = cursor.GetGetter<T>(column);
        string name = column.Name;
        T value = default;
        return row =>
        {
            get(ref value);

            // Float to double is exact, so the checks below see the stored value, not a rounded one.
            double v = double.CreateTruncating(value);
            if (double.IsNaN(v) || (double.IsFinite(v) && v != Math.Floor(v)))
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.ClassLabelNotWhole, name, value, row), name);
            }

            return v >= 0 && v <= int.MaxValue
                ? (int)v
                : throw new ArgumentOutOfRangeException(name, OodErrors.Format(OodErrors.ClassLabelOutOfRange, name, value, row, int.MaxValue));
        };
    }
}
