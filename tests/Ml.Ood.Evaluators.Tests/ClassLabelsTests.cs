using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Evaluators.Tests;

/// <summary>
/// Issue 11: one set of label types everywhere (Ml.Ood.ClassLabels, shared with the trainers). One test per type
/// family reads labels 0, 1, 2 and a value that names no class; the evaluators then give the reference values
/// with every label type.
/// </summary>
[TestClass]
public sealed class ClassLabelsTests
{
    private const double Tolerance = 1e-9;
    private readonly MLContext _ml = new(seed: 1);

    [TestMethod]
    public void KeysOfEveryRawTypeAreOneBasedAndKeyZeroIsMissing()
    {
        // Raw key k is class k - 1.
        AssertReads(new KeyDataViewType(typeof(byte), 10), new byte[] { 1, 2, 3 });
        AssertReads(new KeyDataViewType(typeof(ushort), 10), new ushort[] { 1, 2, 3 });
        AssertReads(new KeyDataViewType(typeof(uint), 10), new uint[] { 1, 2, 3 });
        AssertReads(new KeyDataViewType(typeof(ulong), 10), new ulong[] { 1, 2, 3 });

        var ex = Assert.ThrowsExactly<ArgumentException>(() => Read(new KeyDataViewType(typeof(ushort), 10), new ushort[] { 1, 2, 0 }));
        Assert.AreEqual("Label", ex.ParamName);
        Assert.Contains("'Label' holds a missing key value (key 0) at row 2", ex.Message);
    }

    [TestMethod]
    public void UnsignedIntegersAreZeroBasedAndTooLargeIsOutOfRange()
    {
        AssertReads(NumberDataViewType.Byte, new byte[] { 0, 1, 2 });
        AssertReads(NumberDataViewType.UInt16, new ushort[] { 0, 1, 2 });
        AssertReads(NumberDataViewType.UInt32, new uint[] { 0, 1, 2 });
        AssertReads(NumberDataViewType.UInt64, new ulong[] { 0, 1, 2 });

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Read(NumberDataViewType.UInt64, new ulong[] { 0, ulong.MaxValue, 2 }));
        Assert.Contains("'Label' holds label 18446744073709551615 at row 1; a class label must be in [0, 2147483647]", ex.Message);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Read(NumberDataViewType.UInt32, new uint[] { 0, 1, (uint)int.MaxValue + 1 }));
    }

    [TestMethod]
    public void SignedIntegersAreZeroBasedAndNegativeIsOutOfRange()
    {
        AssertReads(NumberDataViewType.SByte, new sbyte[] { 0, 1, 2 });
        AssertReads(NumberDataViewType.Int16, new short[] { 0, 1, 2 });
        AssertReads(NumberDataViewType.Int32, new[] { 0, 1, 2 });
        AssertReads(NumberDataViewType.Int64, new long[] { 0, 1, 2 });

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Read(NumberDataViewType.Int16, new short[] { 0, -1, 2 }));
        Assert.AreEqual("Label", ex.ParamName);
        Assert.Contains("'Label' holds label -1 at row 1", ex.Message);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Read(NumberDataViewType.Int64, new long[] { 0, 1, long.MinValue }));
    }

    [TestMethod]
    public void FloatingLabelsMustBeWholeAndNonNegative()
    {
        AssertReads(NumberDataViewType.Single, new[] { 0f, 1f, 2f });
        AssertReads(NumberDataViewType.Double, new[] { 0d, 1d, 2d });
        AssertReads(NumberDataViewType.Single, new[] { -0f, 1f, 2f });

        var fraction = Assert.ThrowsExactly<ArgumentException>(() => Read(NumberDataViewType.Double, new[] { 0d, 1d, 1.5 }));
        Assert.Contains("'Label' holds label 1.5 at row 2; a class label must be a whole number", fraction.Message);
        var nan = Assert.ThrowsExactly<ArgumentException>(() => Read(NumberDataViewType.Single, new[] { float.NaN, 1f, 2f }));
        Assert.Contains("'Label' holds label NaN at row 0", nan.Message);
        var negative = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Read(NumberDataViewType.Single, new[] { 0f, -2f, 2f }));
        Assert.Contains("'Label' holds label -2 at row 1", negative.Message);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Read(NumberDataViewType.Double, new[] { 0d, double.PositiveInfinity, 2d }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Read(NumberDataViewType.Double, new[] { 0d, 1d, 3e9 }));
    }

    [TestMethod]
    public void OtherTypesAreASchemaMismatch()
    {
        var data = new ArrayDataView(new ArrayDataView.Column("Label", BooleanDataViewType.Instance, new[] { true }));

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ClassLabels.Column(data.Schema, "Label", "labelColumnName"));

        Assert.AreEqual("labelColumnName", ex.ParamName);
        Assert.Contains("Schema mismatch for input column 'Label': expected a class label (Key, Byte, SByte, Int16, UInt16, Int32, UInt32, Int64, UInt64", ex.Message);
        Assert.Contains("got Boolean", ex.Message);
    }

    /// <summary>Before issue 11, EvaluateTopK accepted only Key&lt;UInt32&gt;, Int32 and UInt32 labels.</summary>
    [TestMethod]
    [DataRow("Key<Byte>")]
    [DataRow("Key<UInt64>")]
    [DataRow("Byte")]
    [DataRow("UInt64")]
    [DataRow("SByte")]
    [DataRow("Int64")]
    [DataRow("Single")]
    [DataRow("Double")]
    public void TopKAndOpenSetGiveTheReferenceValuesWithEveryLabelType(string type)
    {
        var autkc = ReferenceVectors.Load("autkc");
        float[] scores = autkc.GetProperty("scores").FlatFloats(out int classes);
        int[] labels = autkc.GetProperty("labels").Ints();
        var c = autkc.GetProperty("cases")[1];
        int k = c.GetProperty("K").GetInt32();
        var rows = Enumerable.Range(0, labels.Length).Select(i => new VBuffer<float>(classes, scores.AsSpan(i * classes, classes).ToArray())).ToArray();
        var topK = new ArrayDataView(Labels("Label", type, labels), new("Score", new VectorDataViewType(NumberDataViewType.Single, classes), rows));

        Assert.AreEqual(c.GetProperty("autkc").GetDouble(), _ml.Ood().EvaluateTopK(topK, "Label", "Score", k).AreaUnderTopKCurve, Tolerance);

        var open = ReferenceVectors.Load("openauc");
        int[] known = open.GetProperty("known_label").Ints(), predicted = open.GetProperty("known_predicted").Ints();
        float[] knownScores = open.GetProperty("known_score").Floats(), unknownScores = open.GetProperty("unknown_score").Floats();

        // Unknown rows carry class 0: their labels are not read.
        var openSet = new ArrayDataView(
            new("IsUnknown", BooleanDataViewType.Instance, knownScores.Select(_ => false).Concat(unknownScores.Select(_ => true)).ToArray()),
            Labels("Label", type, [.. known, .. unknownScores.Select(_ => 0)]),
            Labels("Predicted", type, [.. predicted, .. unknownScores.Select(_ => 0)]),
            new("Score", NumberDataViewType.Single, knownScores.Concat(unknownScores).ToArray()));

        Assert.AreEqual(open.GetProperty("openauc").GetDouble(), _ml.Ood().EvaluateOpenSet(openSet, "IsUnknown", "Label", "Predicted", "Score").OpenAuc, Tolerance);
    }

    /// <summary>A label column of the named type holding the 0-based classes <paramref name="classes"/>.</summary>
    internal static ArrayDataView.Column Labels(string name, string type, int[] classes) => type switch
    {
        "Key<Byte>" => new(name, new KeyDataViewType(typeof(byte), 100), classes.Select(y => (byte)(y + 1)).ToArray()),
        "Key<UInt64>" => new(name, new KeyDataViewType(typeof(ulong), 100), classes.Select(y => (ulong)y + 1).ToArray()),
        "Byte" => new(name, NumberDataViewType.Byte, classes.Select(y => (byte)y).ToArray()),
        "UInt64" => new(name, NumberDataViewType.UInt64, classes.Select(y => (ulong)y).ToArray()),
        "SByte" => new(name, NumberDataViewType.SByte, classes.Select(y => (sbyte)y).ToArray()),
        "Int64" => new(name, NumberDataViewType.Int64, classes.Select(y => (long)y).ToArray()),
        "Single" => new(name, NumberDataViewType.Single, classes.Select(y => (float)y).ToArray()),
        "Double" => new(name, NumberDataViewType.Double, classes.Select(y => (double)y).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no such label type in this test"),
    };

    private static void AssertReads(DataViewType type, Array values) =>
        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, Read(type, values), type.ToString());

    private static int[] Read(DataViewType type, Array values)
    {
        var data = new ArrayDataView(new ArrayDataView.Column("Label", type, values));
        var column = ClassLabels.Column(data.Schema, "Label", "labelColumnName");
        using var cursor = data.GetRowCursor([column]);
        var get = ClassLabels.Getter(cursor, column);
        var read = new List<int>();
        for (long row = 0; cursor.MoveNext(); row++)
        {
            read.Add(get(row));
        }

        return [.. read];
    }
}
