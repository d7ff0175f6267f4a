using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>The read-ahead cursor: every block size gives the same rows, scores and pass-through columns.</summary>
[TestClass]
public sealed class BatchedExecutionTests
{
    private static readonly float[][] Logits = LogitsData.Random(rows: 103, classes: 6, scale: 5, seed: 7);

    [TestMethod]
    [DataRow(1)]
    [DataRow(5)]
    [DataRow(103)]
    [DataRow(256)]
    [DataRow(1000)]
    public void EveryBlockSizeGivesTheSameScoresAndColumns(int blockSize)
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var scored = ml.Ood().Energy("Energy", "Logits", execution: new() { BlockSize = blockSize }).Fit(data).Transform(data);

        var expected = Logits.Select(z => LogitScores.Energy(z)).ToArray();
        HeadHarness.AssertAllClose(expected, scored.GetColumn<float>("Energy").ToArray(), 1e-5, $"block {blockSize}");
        CollectionAssert.AreEqual(Enumerable.Range(0, Logits.Length).ToArray(), scored.GetColumn<int>("Id").ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(0, Logits.Length).Select(i => $"row-{i}").ToArray(),
            scored.GetColumn<string>("Name").ToArray());
        var extra = scored.GetColumn<float[]>("Extra").ToArray();
        for (int i = 0; i < Logits.Length; i++)
        {
            CollectionAssert.AreEqual(new float[] { i, -i, 0.5f * i }, extra[i], $"Extra of row {i}");
        }

        var logits = scored.GetColumn<float[]>("Logits").ToArray();
        for (int i = 0; i < Logits.Length; i++)
        {
            CollectionAssert.AreEqual(Logits[i], logits[i], $"Logits of row {i}");
        }
    }

    [TestMethod]
    public void AnEngineThatDisposesTheHeadGivesBackOnlyItsOwnReference()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var model = ml.Ood().Energy("Energy", "Logits").Fit(data);
        var expected = Logits.Select(z => LogitScores.Energy(z)).ToArray();
        // ML.NET's PredictionEngine disposes the model it was created from, unless told it does not own it; that used to
        // free the head's session under every other user (issue 10, defect 1).
        HeadHarness.PerRow(ml, model, data, Logits.Take(2).ToArray(), "Energy");
        HeadHarness.PerRow(ml, model, data, Logits.Take(2).ToArray(), "Energy");

        var scored = model.Transform(data);
        HeadHarness.AssertAllClose(expected, scored.GetColumn<float>("Energy").ToArray(), 1e-5, "after two engines disposed the head");

        model.Dispose();
        Assert.AreEqual(Logits.Length, scored.GetColumn<int>("Id").Count(), "columns that do not need the head still pass through");
        var error = Assert.ThrowsExactly<ObjectDisposedException>(() => scored.GetColumn<float>("Energy").ToArray());
        StringAssert.Contains(error.Message, "disposed");
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.GetRowToRowMapper(data.Schema));
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.ExportOnnx(Stream.Null));
        model.Dispose();
    }

    [TestMethod]
    public void RowIdsAndPositionsFollowTheSource()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var scored = ml.Ood().MaxLogit("MaxLogit", "Logits", execution: new() { BlockSize = 10 }).Fit(data).Transform(data);

        var expectedIds = new List<DataViewRowId>();
        using (var source = data.GetRowCursor([]))
        {
            var id = source.GetIdGetter();
            DataViewRowId value = default;
            while (source.MoveNext())
            {
                id(ref value);
                expectedIds.Add(value);
            }
        }
        using var cursor = scored.GetRowCursor(scored.Schema);
        var idGetter = cursor.GetIdGetter();
        int row = 0;
        while (cursor.MoveNext())
        {
            Assert.AreEqual(row, cursor.Position);
            DataViewRowId id = default;
            idGetter(ref id);
            Assert.AreEqual(expectedIds[row], id, $"row {row}");
            row++;
        }
        Assert.AreEqual(Logits.Length, row);
    }

    [TestMethod]
    public void ColumnsNotAskedForAreNotServed()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var scored = ml.Ood().MaxLogit("MaxLogit", "Logits").Fit(data).Transform(data);

        using var withoutScore = scored.GetRowCursor([scored.Schema["Id"]]);
        Assert.IsFalse(withoutScore.IsColumnActive(scored.Schema["MaxLogit"]));
        Assert.ThrowsExactly<InvalidOperationException>(() => withoutScore.GetGetter<float>(scored.Schema["MaxLogit"]));

        using var scoreOnly = scored.GetRowCursor([scored.Schema["MaxLogit"]]);
        Assert.IsTrue(scoreOnly.IsColumnActive(scored.Schema["MaxLogit"]));
        Assert.IsFalse(scoreOnly.IsColumnActive(scored.Schema["Name"]));
        Assert.ThrowsExactly<InvalidOperationException>(() => scoreOnly.GetGetter<string>(scored.Schema["Name"]));
        Assert.ThrowsExactly<InvalidOperationException>(() => scoreOnly.GetGetter<double>(scored.Schema["MaxLogit"]));
    }

    [TestMethod]
    public void OutputReplacesAnInputOfTheSameName()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        // Named explicitly (the input is required): the score replaces the logits column, ML.NET style.
        var scored = ml.Ood().Energy("Logits", "Logits").Fit(data).Transform(data);

        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["Logits"].Type);
        HeadHarness.AssertAllClose(Logits.Select(z => LogitScores.Energy(z)).ToArray(),
            scored.GetColumn<float>("Logits").ToArray(), 1e-5, "energy written over its input");
    }

    [TestMethod]
    public void EmptyInputGivesNoRows()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var empty = ml.Data.LoadFromEnumerable(new List<LogitsRow>(), data.Schema);
        var scored = ml.Ood().Energy("Energy", "Logits").Fit(data).Transform(empty);
        Assert.IsEmpty(scored.GetColumn<float>("Energy").ToArray());
    }

    [TestMethod]
    public void InvalidBlockSizeIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Energy("Energy", "Logits", execution: new() { BlockSize = 0 }));
        Assert.AreEqual("execution", error.ParamName);
        StringAssert.Contains(error.Message, "block size must be at least 1 row");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood(new OodExecutionOptions { BlockSize = -3 }));
    }
}
