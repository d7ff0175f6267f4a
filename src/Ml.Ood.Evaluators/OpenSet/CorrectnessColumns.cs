using Microsoft.ML;
using Ml.Ood.Evaluators.Common;

namespace Ml.Ood;

/// <summary>
/// Where the open-set and open-world evaluators learn whether a row was classified correctly: a Boolean
/// column the user computed, or the pair (label, predicted label) compared as classes.
/// </summary>
internal sealed class CorrectnessColumns
{
    private readonly DataViewSchema.Column? _isCorrect;
    private readonly DataViewSchema.Column? _label;
    private readonly DataViewSchema.Column? _predicted;

    private CorrectnessColumns(DataViewSchema.Column? isCorrect, DataViewSchema.Column? label, DataViewSchema.Column? predicted)
    {
        _isCorrect = isCorrect;
        _label = label;
        _predicted = predicted;
    }

    /// <summary>The columns a cursor must make active.</summary>
    public IEnumerable<DataViewSchema.Column> Columns =>
        _isCorrect is { } c ? [c] : [_label!.Value, _predicted!.Value];

    /// <summary>A Boolean column, true where the row's prediction is correct (never an MlOod decision column).</summary>
    public static CorrectnessColumns FromColumn(IDataView data, string isCorrectColumnName, string argumentName) =>
        new(DataViewColumns.Truth(data, isCorrectColumnName, argumentName), null, null);

    /// <summary>
    /// A label and a predicted-label column of the same type. Different types are refused: a key's value is its
    /// index in that key's own dictionary (MapValueToKey numbers classes in order of appearance), so key 3 and
    /// the integer 2 need not name the same class, and comparing them would silently miscount.
    /// </summary>
    public static CorrectnessColumns FromLabels(
        IDataView data, string labelColumnName, string labelArgumentName, string predictedLabelColumnName, string predictedArgumentName)
    {
        var label = DataViewColumns.Label(data, labelColumnName, labelArgumentName);
        var predicted = DataViewColumns.Label(data, predictedLabelColumnName, predictedArgumentName);
        if (!predicted.Type.Equals(label.Type))
        {
            throw DataViewColumns.Mismatch(
                predictedLabelColumnName, predictedArgumentName, OodErrors.Format(OodErrors.ExpectedSameTypeAsLabel, labelColumnName, label.Type), predicted.Type);
        }

        return new(null, label, predicted);
    }

    /// <summary>A getter of the current row's correctness; its argument is the row index, for error messages.</summary>
    public Func<long, bool> Getter(DataViewRowCursor cursor)
    {
        if (_isCorrect is { } column)
        {
            var get = cursor.GetGetter<bool>(column);
            bool value = false;
            return _ =>
            {
                get(ref value);
                return value;
            };
        }

        var getLabel = ClassLabels.Getter(cursor, _label!.Value);
        var getPredicted = ClassLabels.Getter(cursor, _predicted!.Value);
        return row => getLabel(row) == getPredicted(row);
    }
}
