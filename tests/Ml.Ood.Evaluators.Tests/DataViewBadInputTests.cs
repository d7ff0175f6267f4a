using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Evaluators.Tests;

/// <summary>The <c>ml.Ood()</c> entries reject bad views with ML.NET's schema wording or a message naming the column.</summary>
[TestClass]
public sealed class DataViewBadInputTests
{
    private readonly MLContext _ml = new(seed: 1);

    [TestMethod]
    public void MissingColumnThrowsCouldNotFind()
    {
        var data = Detection((false, 1f), (true, 2f));

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Ood().Evaluate(data, "IsOod", "Energy"));

        Assert.AreEqual("scoreColumnName", ex.ParamName);
        Assert.Contains("Could not find input column 'Energy'", ex.Message);
    }

    [TestMethod]
    public void WrongColumnTypeThrowsSchemaMismatch()
    {
        var data = Detection((false, 1f), (true, 2f));

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Ood().Evaluate(data, "Score", "Score"));

        Assert.AreEqual("isOodColumnName", ex.ParamName);
        Assert.Contains("Schema mismatch for input column 'Score': expected Boolean, got Single", ex.Message);
    }

    [TestMethod]
    public void NaNScoreInViewThrowsNamingColumnAndRow()
    {
        var data = Detection((false, 1f), (true, 2f), (true, float.NaN));

        var ex = Assert.ThrowsExactly<ArgumentException>(() => _ml.Ood().Evaluate(data, "IsOod", "Score"));

        Assert.AreEqual("Score", ex.ParamName);
        Assert.Contains("'Score' holds a NaN or infinite score at row 2", ex.Message);
    }

    [TestMethod]
    public void ViewWithoutOodRowsThrows()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => _ml.Ood().Evaluate(Detection((false, 1f), (false, 2f)), "IsOod", "Score"));
        Assert.Contains("'IsOod' has no out-of-distribution rows", ex.Message);
    }

    [TestMethod]
    public void ViewWithoutIdRowsThrows()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => _ml.Ood().Evaluate(Detection((true, 1f), (true, 2f)), "IsOod", "Score"));
        Assert.Contains("'IsOod' has no in-distribution rows", ex.Message);
    }

    [TestMethod]
    public void OpenSetWithoutUnknownRowsThrows()
    {
        var rows = new[] { new DataViewTests.OpenSetRow { IsOod = false, Label = 1, PredictedLabel = 1, Score = 0f } };

        var ex = Assert.ThrowsExactly<ArgumentException>(() => _ml.Ood().EvaluateOpenSet(_ml.Data.LoadFromEnumerable(rows), "IsOod", "Label", "PredictedLabel", "Score"));

        Assert.AreEqual("isUnknownColumnName", ex.ParamName);
    }

    [TestMethod]
    public void OpenSetKnownRowWithMissingKeyLabelThrows()
    {
        var rows = new[]
        {
            new DataViewTests.OpenSetRow { IsOod = false, Label = DataViewTests.OpenSetRow.Missing, PredictedLabel = 1, Score = 0f },
            new DataViewTests.OpenSetRow { IsOod = true, Label = DataViewTests.OpenSetRow.Missing, PredictedLabel = 1, Score = 1f },
        };

        var ex = Assert.ThrowsExactly<ArgumentException>(() => _ml.Ood().EvaluateOpenSet(_ml.Data.LoadFromEnumerable(rows), "IsOod", "Label", "PredictedLabel", "Score"));

        Assert.Contains("'Label' holds a missing key value (key 0) at row 0", ex.Message);
    }

    [TestMethod]
    public void LabelColumnOfWrongTypeThrowsSchemaMismatch()
    {
        var rows = new[] { new DataViewTests.OpenWorldRow { IsNew = false, Label = 1, PredictedLabel = 1, Score = 0f } };
        var data = _ml.Data.LoadFromEnumerable(rows);

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Ood().EvaluateOpenWorld(data, "IsNew", "IsNew", "PredictedLabel", "Score"));

        Assert.AreEqual("labelColumnName", ex.ParamName);
        Assert.Contains("Schema mismatch for input column 'IsNew': expected a class label (Key, Byte, SByte, Int16, UInt16, Int32, UInt32, Int64, UInt64, or Single/Double holding whole non-negative numbers), got Boolean", ex.Message);
    }

    [TestMethod]
    public void TopKLabelOutOfRangeThrows()
    {
        var rows = new[] { new DataViewTests.TopKRow { Label = 8, Score = new float[8] } };

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Ood().EvaluateTopK(_ml.Data.LoadFromEnumerable(rows), k: 2));

        Assert.AreEqual("Label", ex.ParamName);
        Assert.Contains("label 8 at row 0; labels must be in [0, 8)", ex.Message);
    }

    [TestMethod]
    public void TopKKLargerThanVectorThrows()
    {
        var rows = new[] { new DataViewTests.TopKRow { Label = 1, Score = new float[8] } };

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Ood().EvaluateTopK(_ml.Data.LoadFromEnumerable(rows), k: 9));

        Assert.AreEqual("k", ex.ParamName);
    }

    [TestMethod]
    public void TopKScalarScoreThrowsSchemaMismatch()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new DataViewTests.OpenWorldRow { Label = 0, Score = 1f } });

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Ood().EvaluateTopK(data, k: 1));

        Assert.Contains("Schema mismatch for input column 'Score': expected Vector<Single> or Vector<Double>, got Single", ex.Message);
    }

    [TestMethod]
    public void MultiLabelSizeMismatchThrows()
    {
        var rows = new[] { new ShortLabelRow { Label = new bool[3], Score = new float[12] } };

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Ood().EvaluateMultiLabelRanking(_ml.Data.LoadFromEnumerable(rows)));

        Assert.Contains("Schema mismatch for input column 'Label': expected a vector of size 12", ex.Message);
    }

    [TestMethod]
    public void MultiLabelNaNScoreThrowsNamingRow()
    {
        var score = new float[12];
        score[4] = float.NaN;
        var label = new bool[12];
        label[0] = true;
        var rows = new[]
        {
            new DataViewTests.MultiLabelRow { Label = label, Score = new float[12] },
            new DataViewTests.MultiLabelRow { Label = label, Score = score },
        };

        var ex = Assert.ThrowsExactly<ArgumentException>(() => _ml.Ood().EvaluateMultiLabelRanking(_ml.Data.LoadFromEnumerable(rows)));

        Assert.Contains("'Score' holds a NaN or infinite score at row 1", ex.Message);
    }

    private IDataView Detection(params (bool IsOod, float Score)[] rows) =>
        _ml.Data.LoadFromEnumerable(rows.Select(r => new DataViewTests.DetectionRow { IsOod = r.IsOod, Score = r.Score }));

    private sealed class ShortLabelRow
    {
        [VectorType(3)]
        public bool[] Label { get; set; } = [];

        [VectorType(12)]
        public float[] Score { get; set; } = [];
    }
}
