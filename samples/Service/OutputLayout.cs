using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Service;

/// <summary>What one input scored: every head's score, every decision (true = OOD) and the model's predicted class.</summary>
public sealed record ScoredItem(IReadOnlyDictionary<string, float> Scores, IReadOnlyDictionary<string, bool> Decisions, string? PredictedClass);

/// <summary>
/// Which output columns a response carries: the MlOod heads' scores and decisions (found in the loaded model), and the
/// predicted class, from a PredictedLabel key column (its key value) or else the arg-max of the logits column.
/// </summary>
public sealed class OutputLayout
{
    public OutputLayout(IReadOnlyList<OodHeadTransformer> heads, DataViewSchema outputSchema, string logitsColumn)
    {
        Scores = heads.Where(h => h.Head.OutputKind == OodHeadOutputKind.Score).Select(h => h.Head.OutputColumnName).Distinct().ToArray();
        Decisions = heads.Where(h => h.Head.OutputKind != OodHeadOutputKind.Score).Select(h => h.Head.OutputColumnName).Distinct().ToArray();
        var predicted = outputSchema.GetColumnOrNull("PredictedLabel");
        if (predicted is { Type: KeyDataViewType })
        {
            PredictedLabel = "PredictedLabel";
        }
        else if (outputSchema.GetColumnOrNull(logitsColumn) is { Type: VectorDataViewType { ItemType.RawType: var item, IsKnownSize: true } } && item == typeof(float))
        {
            Logits = logitsColumn;
        }
    }

    public string[] Scores { get; }

    public string[] Decisions { get; }

    /// <summary>The key column of the predicted class, or null.</summary>
    public string? PredictedLabel { get; }

    /// <summary>The class-score vector whose arg-max is the predicted class, or null.</summary>
    public string? Logits { get; }

    /// <summary>The output columns to read.</summary>
    public IEnumerable<DataViewSchema.Column> Columns(DataViewSchema schema)
        => Scores.Concat(Decisions).Append(PredictedLabel).Append(Logits).OfType<string>().Select(n => schema[n]);

    /// <summary>Reads the columns of <paramref name="row"/> (a cursor or a mapper's output row) into items.</summary>
    public Reader CreateReader(DataViewRow row) => new(this, row);

    /// <summary>The getters of one row, made once and called per row.</summary>
    public sealed class Reader
    {
        private readonly OutputLayout _layout;
        private readonly ValueGetter<float>[] _scores;
        private readonly ValueGetter<bool>[] _decisions;
        private readonly ValueGetter<uint>? _key;
        private readonly string[]? _keyValues;
        private readonly ValueGetter<VBuffer<float>>? _logits;
        private VBuffer<float> _logitsBuffer;

        internal Reader(OutputLayout layout, DataViewRow row)
        {
            _layout = layout;
            _scores = layout.Scores.Select(n => row.GetGetter<float>(row.Schema[n])).ToArray();
            _decisions = layout.Decisions.Select(n => row.GetGetter<bool>(row.Schema[n])).ToArray();
            if (layout.PredictedLabel is string label)
            {
                var column = row.Schema[label];
                _key = row.GetGetter<uint>(column);
                _keyValues = KeyValues(column);
            }
            if (layout.Logits is string logits)
            {
                _logits = row.GetGetter<VBuffer<float>>(row.Schema[logits]);
            }
        }

        public ScoredItem Read()
        {
            var scores = new Dictionary<string, float>(_scores.Length, StringComparer.Ordinal);
            for (int i = 0; i < _scores.Length; i++)
            {
                float value = 0;
                _scores[i](ref value);
                scores[_layout.Scores[i]] = value;
            }
            var decisions = new Dictionary<string, bool>(_decisions.Length, StringComparer.Ordinal);
            for (int i = 0; i < _decisions.Length; i++)
            {
                bool value = true;
                _decisions[i](ref value);
                decisions[_layout.Decisions[i]] = value;
            }
            return new ScoredItem(scores, decisions, PredictedClass());
        }

        private string? PredictedClass()
        {
            if (_key is not null)
            {
                uint key = 0;
                _key(ref key);
                // Key 0 is "missing"; key k is the (k - 1)-th value, which MapValueToKey ordered by first occurrence.
                return key == 0 ? null : _keyValues is not null && key <= _keyValues.Length ? _keyValues[key - 1] : (key - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            if (_logits is null)
            {
                return null;
            }

            _logits(ref _logitsBuffer);
            var values = _logitsBuffer.DenseValues().ToArray();
            if (values.Length == 0 || values.Any(v => !float.IsFinite(v)))
            {
                return null;
            }

            return Array.IndexOf(values, values.Max()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        private static string[]? KeyValues(DataViewSchema.Column column)
        {
            if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { } kinds)
            {
                return null;
            }

            var names = default(VBuffer<ReadOnlyMemory<char>>);
            if (kinds.Type is VectorDataViewType { ItemType: TextDataViewType })
            {
                column.GetKeyValues(ref names);
                return names.DenseValues().Select(v => v.ToString()).ToArray();
            }
            if (kinds.Type is VectorDataViewType { ItemType.RawType: var t } && t == typeof(float))
            {
                var floats = default(VBuffer<float>);
                column.Annotations.GetValue("KeyValues", ref floats);
                return floats.DenseValues().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            }
            return null;
        }
    }
}
