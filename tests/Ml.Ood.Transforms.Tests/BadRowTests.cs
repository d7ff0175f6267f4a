using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Issue 10, defects 2 and 4: rows a head cannot score. A vector of the wrong length is an error naming the column, the
/// row and both lengths (it used to take its missing values from the previous row); a NaN or infinite value gives a NaN
/// score, counted and logged; tiny and huge embeddings normalise like any other.
/// </summary>
[TestClass]
public sealed class BadRowTests
{
    private static readonly float[][] Good = LogitsData.Random(rows: 6, classes: 5, scale: 3, seed: 8);

    [TestMethod]
    [DataRow(3)]
    [DataRow(7)]
    public void AVectorOfTheWrongLengthIsAnErrorOnBothPaths(int length)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Ood().Energy("Energy", "Logits").Fit(LogitsData.Create(ml, Good));
        var rows = Good.Take(2).Append(Good[2][..Math.Min(length, 5)].Concat(new float[Math.Max(0, length - 5)]).ToArray()).Concat(Good.Skip(3)).ToList();
        var data = WithDeclaredSize(ml, rows, 5);

        var batched = Assert.ThrowsExactly<InvalidOperationException>(() => model.Transform(data).GetColumn<float>("Energy").ToArray());
        AssertNamesTheRow(batched.Message, length);

        using var engine = ml.Model.CreatePredictionEngine<LogitsRow, ScoreOutput>(model, new PredictionEngineOptions
        {
            InputSchemaDefinition = Definition(5),
            OutputSchemaDefinition = Output("Energy"),
        });
        engine.Predict(new LogitsRow { Logits = Good[0], Extra = [0, 0, 0] });
        var perRow = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict(new LogitsRow { Logits = rows[2], Extra = [0, 0, 0] }));
        StringAssert.Contains(perRow.Message, "'Logits'");
        StringAssert.Contains(perRow.Message, $"holds {length} values");
    }

    [TestMethod]
    public void NaNAndInfinityScoreNaNOnEveryLogitAndVisionLanguageHead()
    {
        var ml = new MLContext(seed: 1);
        float[][] bad = [[float.NaN, 1, 2, 3, 4], [1, float.PositiveInfinity, 2, 3, 4], [float.NegativeInfinity, 1, 2, 3, 4],
            Enumerable.Repeat(float.NegativeInfinity, 5).ToArray()];
        var data = LogitsData.Create(ml, [.. Good, .. bad]);
        float[][] labels = [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0]];
        float[][] negatives = [[0, 0, 0, 1, 0], [0, 0, 0, 0, 1]];
        var model = ml.Ood().Energy("Energy", "Logits")
            .Append(ml.Ood().MaxSoftmaxProbability("Msp", "Logits"))
            .Append(ml.Ood().MaxLogit("MaxLogit", "Logits"))
            .Append(ml.Ood().MaximumConceptMatching("Mcm", "Logits", labels))
            .Append(ml.Ood().NegativeLabels("NegLabel", "Logits", labels, negatives))
            .Fit(LogitsData.Create(ml, Good));
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning)
            {
                warnings.Add(e.RawMessage);
            }
        };

        var scored = model.Transform(data);
        foreach (string column in new[] { "Energy", "Msp", "MaxLogit", "Mcm", "NegLabel" })
        {
            var scores = scored.GetColumn<float>(column).ToArray();
            Assert.IsTrue(scores.Take(Good.Length).All(float.IsFinite), $"{column}: finite rows score finite");
            for (int r = Good.Length; r < scores.Length; r++)
            {
                Assert.IsTrue(float.IsNaN(scores[r]), $"{column}: row {r} scored {scores[r]}, not NaN");
            }

            var head = model.OfType<OodHeadTransformer>().Single(h => h.Head.OutputColumnName == column);
            Assert.AreEqual(bad.Length, head.NonFiniteRowCount, $"{column}: rows counted");
            Assert.IsTrue(warnings.Any(w => w.Contains($"'{column}'", StringComparison.Ordinal) && w.Contains($"{bad.Length} of {Good.Length + bad.Length} rows", StringComparison.Ordinal)),
                $"{column}: a warning on the context's log; got {string.Join(" | ", warnings)}");
        }

        var perRow = HeadHarness.PerRow(ml, model, data, [.. Good, .. bad], "Mcm");
        Assert.IsTrue(perRow.Skip(Good.Length).All(float.IsNaN), "per row too");
    }

    [TestMethod]
    public void TinyAndHugeEmbeddingsNormaliseLikeAnyOther()
    {
        // In float, a row of 1e-30 values has a sum of squares of 0 and a row of 1e30 values an infinite one: without
        // scaling first, the first scored 5.7e15 with KNN and the second as a zero vector.
        var ml = new MLContext(seed: 1);
        float[][] labels = [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0.5f, 0.5f, 1, 0, 0]];
        float[][] negatives = [[0, 0, 0, 1, 0], [0, 0, 0, 0, 1]];
        float[] direction = [0.3f, -0.2f, 0.9f, 0.1f, 0.05f];
        float[][] rows = [direction, direction.Select(v => v * 1e-30f).ToArray(), direction.Select(v => v * 1e30f).ToArray(),
            direction.Select(v => v * 1e-40f).ToArray()];
        var model = ml.Ood().MaximumConceptMatching("Mcm", "Logits", labels, temperature: 0.05f)
            .Append(ml.Ood().NegativeLabels("NegLabel", "Logits", labels, negatives))
            .Fit(LogitsData.Create(ml, Good));
        var scored = model.Transform(LogitsData.Create(ml, rows));
        foreach (string column in new[] { "Mcm", "NegLabel" })
        {
            var scores = scored.GetColumn<float>(column).ToArray();
            for (int r = 1; r < rows.Length; r++)
            {
                Assert.AreEqual(scores[0], scores[r], 1e-6, $"{column}: row scaled by {rows[r][0] / rows[0][0]:G2} scored {scores[r]} vs {scores[0]}");
            }
        }
    }

    private static void AssertNamesTheRow(string message, int length)
    {
        StringAssert.Contains(message, "'Logits'");
        StringAssert.Contains(message, "row 2");
        StringAssert.Contains(message, $"holds {length} values");
        StringAssert.Contains(message, "vectors of 5");
    }

    private static IDataView WithDeclaredSize(MLContext ml, List<float[]> logits, int size)
        => ml.Data.LoadFromEnumerable(logits.Select((z, i) => new LogitsRow { Logits = z, Id = i, Extra = [0, 0, 0] }), Definition(size));

    private static SchemaDefinition Definition(int size)
    {
        var definition = SchemaDefinition.Create(typeof(LogitsRow));
        definition[nameof(LogitsRow.Logits)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        definition[nameof(LogitsRow.Extra)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        return definition;
    }

    private static SchemaDefinition Output(string column)
    {
        var definition = SchemaDefinition.Create(typeof(ScoreOutput));
        definition[0].ColumnName = column;
        return definition;
    }
}
