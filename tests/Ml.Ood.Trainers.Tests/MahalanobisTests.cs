using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Trainers.Tests;

/// <summary>Mahalanobis against tests/ReferenceVectors/mahalanobis.json, label types, and bad input.</summary>
[TestClass]
public sealed class MahalanobisTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ScoresMatchReferenceBatchedAndAfterLoading()
    {
        var (ml, train, test, expected) = Reference();
        var model = ml.Ood().Mahalanobis("MdsScore", "Embedding", "Label", execution: new() { BlockSize = 7 }).Fit(train);
        EmbeddingData.AssertClose(expected, model.Transform(test).GetColumn<float>("MdsScore").ToArray(), "batched");

        string zip = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"mds-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, train.Schema, zip);
        var loaded = ml.Model.Load(zip, out _).Transform(test);
        Assert.AreEqual(NumberDataViewType.Single, loaded.Schema["MdsScore"].Type);
        EmbeddingData.AssertClose(expected, loaded.GetColumn<float>("MdsScore").ToArray(), "loaded");
        Assert.AreEqual("4", ((OodHeadTransformer)ml.Ood().Load(zip, out _)).Head.Parameters["classes"]);
    }

    [TestMethod]
    public void KeyLabelsFromMapValueToKeyGiveTheSameScores()
    {
        var (ml, train, test, expected) = Reference();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Ood().Mahalanobis("MdsScore", "Embedding", "Label"))
            .Fit(train);
        EmbeddingData.AssertClose(expected, model.Transform(test).GetColumn<float>("MdsScore").ToArray(), "key labels");
    }

    [TestMethod]
    public void CollinearEmbeddingsUseThePseudoInverse()
    {
        // Third coordinate = first + second, exactly (eighths add without rounding in float): the covariance is
        // singular, so only a pseudo-inverse gives finite distances; a class mean is at distance ~0 of itself.
        var ml = new MLContext(seed: 1);
        var rows = new List<float[]>();
        var labels = new List<int>();
        var random = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            float a = random.Next(8) / 8f, b = random.Next(8) / 8f;
            int label = i % 2;
            rows.Add([a + 2 * label, b + 2 * label, a + b + 4 * label]);
            labels.Add(label);
        }
        var model = ml.Ood().Mahalanobis("S", "Embedding").Fit(EmbeddingData.Create(ml, rows, labels));
        Assert.AreEqual("2", model.Head.Parameters["rank"], "the singular direction is dropped");
        var scores = model.Transform(EmbeddingData.Create(ml, [[0.4375f, 0.4375f, 0.875f], [2.4375f, 2.4375f, 4.875f]])).GetColumn<float>("S").ToArray();
        Assert.IsTrue(scores.All(float.IsFinite));
        Assert.IsLessThan(0.1f, scores[0], $"the class-0 centre scores near 0, got {scores[0]}");
        Assert.IsLessThan(0.1f, scores[1], $"the class-1 centre scores near 0, got {scores[1]}");
    }

    [TestMethod]
    [DataRow("one row per class", new[] { 1f, 2f, 3f, 4f }, new[] { 0, 1 })]
    [DataRow("identical rows within each class", new[] { 1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f }, new[] { 0, 0, 1, 1 })]
    public void ARankZeroCovarianceIsRefused(string why, float[] flat, int[] labels)
    {
        // Every row equals its class mean, so the scatter sum (x - mu_y)(x - mu_y)^T is exactly zero: no direction has
        // any spread. The head used to fit (logging "rank 0") and score every input 0, NaN included.
        var ml = new MLContext(seed: 1);
        var rows = flat.Chunk(2).ToArray();
        var data = EmbeddingData.Create(ml, rows, labels);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Mahalanobis("S", "Embedding", "Label").Fit(data), why);
        StringAssert.StartsWith(error.Message, $"Column 'Embedding' cannot fit a Mahalanobis head: each of its {rows.Length} training rows equals the mean of its class (2 classes in 'Label')");
        StringAssert.Contains(error.Message, "rank 0");
        StringAssert.Contains(error.Message, "one row per class or identical rows within each class");
    }

    [TestMethod]
    public void BadInputGivesClearErrors()
    {
        var ml = new MLContext(seed: 1);
        float[][] rows = [[1, 0], [0, 1], [1, 1]];
        var data = EmbeddingData.Create(ml, rows, [0, 1, 0]);

        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Mahalanobis("S", "Embedding", "Class").Fit(data)).Message,
            "Could not find input column 'Class'");
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Mahalanobis("S", "Embedding", "Embedding").Fit(data)).Message,
            "Schema mismatch for input column 'Embedding': expected a class label (Key, Byte, SByte, Int16, UInt16, Int32, UInt32, Int64, UInt64, "
            + "or Single/Double holding whole non-negative numbers), got Vector<Single, 2>");
        var empty = ml.Data.LoadFromEnumerable(new List<EmbeddingRow>(), data.Schema);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Mahalanobis("S", "Embedding").Fit(empty)).Message, "has no rows");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().Mahalanobis("S", "Embedding").Fit(EmbeddingData.Create(ml, rows, [0, 2, 0]))).Message,
            "Class 1 of column 'Label' has no training rows");
        Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().Mahalanobis("S", "Embedding").Fit(EmbeddingData.Create(ml, [[1, float.NaN], [0, 1]], [0, 1])));
    }

    // Issue 11: the trainers and the evaluators accept one set of label types (Ml.Ood.ClassLabels). Unsigned,
    // signed and floating labels each give the reference scores; keys are covered above (MapValueToKey).
    [TestMethod]
    [DataRow(DataKind.Byte, typeof(byte))]
    [DataRow(DataKind.UInt16, typeof(ushort))]
    [DataRow(DataKind.UInt32, typeof(uint))]
    [DataRow(DataKind.UInt64, typeof(ulong))]
    [DataRow(DataKind.SByte, typeof(sbyte))]
    [DataRow(DataKind.Int16, typeof(short))]
    [DataRow(DataKind.Int32, typeof(int))]
    [DataRow(DataKind.Int64, typeof(long))]
    [DataRow(DataKind.Single, typeof(float))]
    [DataRow(DataKind.Double, typeof(double))]
    public void EveryNumericLabelTypeGivesTheReferenceScores(DataKind kind, Type rawType)
    {
        using var json = EmbeddingData.Reference("mahalanobis.json");
        var train = EmbeddingData.Matrix(json.RootElement.GetProperty("train"));
        var labels = json.RootElement.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var expected = json.RootElement.GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var ml = new MLContext(seed: 1);
        IDataView data = kind switch
        {
            DataKind.Byte => Typed(ml, train, labels, y => (byte)y),
            DataKind.UInt16 => Typed(ml, train, labels, y => (ushort)y),
            DataKind.UInt32 => Typed(ml, train, labels, y => (uint)y),
            DataKind.UInt64 => Typed(ml, train, labels, y => (ulong)y),
            DataKind.SByte => Typed(ml, train, labels, y => (sbyte)y),
            DataKind.Int16 => Typed(ml, train, labels, y => (short)y),
            DataKind.Int32 => Typed(ml, train, labels, y => y),
            DataKind.Int64 => Typed(ml, train, labels, y => (long)y),
            DataKind.Single => Typed(ml, train, labels, y => (float)y),
            _ => Typed(ml, train, labels, y => (double)y),
        };
        Assert.AreEqual(rawType, data.Schema["Label"].Type.RawType);

        var model = ml.Ood().Mahalanobis("MdsScore", "Embedding", "Label").Fit(data);

        var queries = EmbeddingData.Create(ml, EmbeddingData.Matrix(json.RootElement.GetProperty("queries")));
        EmbeddingData.AssertClose(expected, model.Transform(queries).GetColumn<float>("MdsScore").ToArray(), kind.ToString());
    }

    [TestMethod]
    [DataRow(1.5f)]
    [DataRow(float.NaN)]
    public void FractionalOrNaNLabelIsAnErrorNamingTheRow(float bad)
    {
        var ml = new MLContext(seed: 1);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().Mahalanobis("S", "Embedding").Fit(WithLabels(ml, 0, 1, 0, bad)));
        StringAssert.Contains(ex.Message, "'Label' holds label");
        StringAssert.Contains(ex.Message, "at row 3; a class label must be a whole number");
    }

    [TestMethod]
    public void NegativeLabelIsAnErrorNamingTheRow()
    {
        var ml = new MLContext(seed: 1);
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Mahalanobis("S", "Embedding").Fit(WithLabels(ml, 0, 1, -1, 0)));
        StringAssert.Contains(ex.Message, "'Label' holds label -1 at row 2; a class label must be in [0, 2147483647]");
    }

    [TestMethod]
    public void MissingKeyLabelIsAnErrorNamingTheRow()
    {
        // A key dictionary without class 2 maps it to key 0, ML.NET's missing value.
        var ml = new MLContext(seed: 1);
        var keys = ml.Data.LoadFromEnumerable(new[] { new KeyRow { Label = 0 }, new KeyRow { Label = 1 } });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys).Append(ml.Ood().Mahalanobis("S", "Embedding"));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => pipeline.Fit(WithLabels(ml, 0, 1, 0, 2)));
        StringAssert.Contains(ex.Message, "'Label' holds a missing key value (key 0) at row 3");
    }

    private static IDataView WithLabels(MLContext ml, params float[] labels)
    {
        var rows = labels.Select((y, i) => new EmbeddingRow { Embedding = [i % 2, (i + 1) % 3], Label = y }).ToList();
        var definition = SchemaDefinition.Create(typeof(EmbeddingRow));
        definition[nameof(EmbeddingRow.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 2);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    private static IDataView Typed<T>(MLContext ml, float[][] embeddings, int[] labels, Func<int, T> convert)
    {
        var rows = embeddings.Select((e, i) => new TypedRow<T> { Embedding = e, Label = convert(labels[i]) }).ToList();
        var definition = SchemaDefinition.Create(typeof(TypedRow<T>));
        definition[nameof(TypedRow<T>.Embedding)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, embeddings[0].Length);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    private sealed class TypedRow<T>
    {
        public float[] Embedding { get; set; } = [];

        public T Label { get; set; } = default!;
    }

    private sealed class KeyRow
    {
        public float Label { get; set; }
    }

    private static (MLContext, IDataView, IDataView, double[]) Reference()
    {
        using var json = EmbeddingData.Reference("mahalanobis.json");
        var train = EmbeddingData.Matrix(json.RootElement.GetProperty("train"));
        var labels = json.RootElement.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var queries = EmbeddingData.Matrix(json.RootElement.GetProperty("queries"));
        var expected = json.RootElement.GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var ml = new MLContext(seed: 1);
        return (ml, EmbeddingData.Create(ml, train, labels), EmbeddingData.Create(ml, queries), expected);
    }
}
