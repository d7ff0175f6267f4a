using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Tests;

/// <summary>
/// The values <see cref="HeadConformance"/> compares: a head's output column read as floats (a decision as 0 or 1), its
/// input rows, one-column views of the wrong type or width, and the comparisons, which report every row that differs.
/// </summary>
internal static class ConformanceValues
{
    /// <summary>The output column of a scored view; a decision as 1 (out-of-distribution) or 0.</summary>
    public static float[] Read(IDataView scored, ConformanceSubject s)
        => s.IsDecision
            ? scored.GetColumn<bool>(s.OutputColumn).Select(d => d ? 1f : 0f).ToArray()
            : scored.GetColumn<float>(s.OutputColumn).ToArray();

    /// <summary>The test data's input column, row-major, and its row count.</summary>
    public static (float[] Values, int Rows) Inputs(ConformanceSubject s)
    {
        string input = s.Fitted.Head.InputColumnName;
        if (s.ScalarInput)
        {
            var scalars = s.Test.GetColumn<float>(input).ToArray();
            return (scalars, scalars.Length);
        }
        var rows = s.Test.GetColumn<float[]>(input).ToArray();
        return (rows.SelectMany(r => r).ToArray(), rows.Length);
    }

    /// <summary>Scores the test rows one at a time through a PredictionEngine over the fitted head.</summary>
    public static float[] PerRow(ConformanceSubject s, OodHeadTransformer head)
    {
        string input = head.Head.InputColumnName;
        var options = new PredictionEngineOptions { OwnsTransformer = false, OutputSchemaDefinition = Output(s) };
        if (s.ScalarInput)
        {
            options.InputSchemaDefinition = Definition<ScalarRow>(input, NumberDataViewType.Single);
            using var engine = s.Ml.Model.CreatePredictionEngine<ScalarRow, OutputRow>(head, options);
            return s.Test.GetColumn<float>(input).Select(x => engine.Predict(new ScalarRow { Value = x }).Value()).ToArray();
        }
        options.InputSchemaDefinition = Definition<VectorRow>(input, s.Test.Schema[input].Type);
        using (var engine = s.Ml.Model.CreatePredictionEngine<VectorRow, OutputRow>(head, options))
        {
            return s.Test.GetColumn<float[]>(input).Select(x => engine.Predict(new VectorRow { Value = x }).Value()).ToArray();
        }
    }

    /// <summary>One row with a scalar Single column of the given name.</summary>
    public static IDataView Scalars(MLContext ml, string column)
        => ml.Data.LoadFromEnumerable([new ScalarRow { Value = 1 }], Definition<ScalarRow>(column, NumberDataViewType.Single));

    /// <summary>One row with a Single vector column of the given name and width.</summary>
    public static IDataView Vectors(MLContext ml, string column, int width)
        => ml.Data.LoadFromEnumerable([new VectorRow { Value = Enumerable.Repeat(1f, width).ToArray() }],
            Definition<VectorRow>(column, new VectorDataViewType(NumberDataViewType.Single, width)));

    /// <summary>Every row bit for bit (NaN matches NaN).</summary>
    public static void AssertSame(ConformanceSubject s, string check, float[] expected, float[] actual)
        => Compare(s, check, expected, actual, (e, a) => BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a) || (float.IsNaN(e) && float.IsNaN(a)),
            "bit for bit");

    /// <summary>Every row within <paramref name="tolerance"/> relative to the expected value; decisions exactly.</summary>
    public static void AssertClose(ConformanceSubject s, string check, float[] expected, float[] actual, double tolerance)
        => Compare(s, check, expected, actual,
            (e, a) => s.IsDecision ? e == a : Math.Abs((double)e - a) <= tolerance * Math.Abs((double)e) || (float.IsNaN(e) && float.IsNaN(a)),
            $"within {tolerance:G3} relative");

    private static void Compare(ConformanceSubject s, string check, float[] expected, float[] actual, Func<float, float, bool> same, string how)
    {
        s.Fail(expected.Length != actual.Length, check, $"{expected.Length} rows expected, got {actual.Length}");
        var differing = Enumerable.Range(0, expected.Length).Where(i => !same(expected[i], actual[i])).ToList();
        if (differing.Count == 0)
        {
            return;
        }

        double worst = differing.Max(i => Math.Abs((double)expected[i] - actual[i]));
        long ulps = differing.Max(i => Ulps(expected[i], actual[i]));
        string rows = string.Join("; ", differing.Take(5).Select(i => $"row {i}: {expected[i]:R} vs {actual[i]:R}"));
        s.Fail(true, check, $"{differing.Count} of {expected.Length} rows differ (expected {how}); largest difference {worst:G3}, {ulps} ulps; {rows}");
    }

    private static long Ulps(float a, float b)
    {
        // Floats ordered as integers: the distance counts the representable values between them.
        static long Ordered(float x) { int bits = BitConverter.SingleToInt32Bits(x); return bits < 0 ? int.MinValue - (long)bits : bits; }
        return float.IsNaN(a) || float.IsNaN(b) ? long.MaxValue : Math.Abs(Ordered(a) - Ordered(b));
    }

    private static SchemaDefinition Definition<TRow>(string column, DataViewType type)
    {
        var definition = SchemaDefinition.Create(typeof(TRow));
        definition[0].ColumnName = column;
        definition[0].ColumnType = type;
        return definition;
    }

    private static SchemaDefinition Output(ConformanceSubject s)
    {
        var definition = SchemaDefinition.Create(typeof(OutputRow));
        definition.RemoveAll(c => c.MemberName != (s.IsDecision ? nameof(OutputRow.Decision) : nameof(OutputRow.Score)));
        definition[0].ColumnName = s.OutputColumn;
        return definition;
    }

    private sealed class ScalarRow
    {
        public float Value { get; set; }
    }

    private sealed class VectorRow
    {
        public float[] Value { get; set; } = [];
    }

    private sealed class OutputRow
    {
        public float Score { get; set; }

        public bool Decision { get; set; }

        public float Value() => Decision ? 1f : Score;
    }
}
