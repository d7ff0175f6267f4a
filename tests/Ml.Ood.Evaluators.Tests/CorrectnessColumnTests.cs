using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Evaluators.Tests;

/// <summary>
/// Issue 11: OpenAUC and OpenworldAUC have one shape: scores plus per-row correctness, which an IDataView gives
/// either as a Boolean column or as a label and predicted-label pair. Both forms match the reference vectors.
/// </summary>
[TestClass]
public sealed class CorrectnessColumnTests
{
    private const double Tolerance = 1e-9;
    private readonly MLContext _ml = new(seed: 1);

    [TestMethod]
    public void OpenSetFromACorrectColumnMatchesOpenAucJson()
    {
        var v = ReferenceVectors.Load("openauc");
        float[] known = v.GetProperty("known_score").Floats(), unknown = v.GetProperty("unknown_score").Floats();
        bool[] correct = v.GetProperty("known_label").Ints().Zip(v.GetProperty("known_predicted").Ints(), (y, p) => y == p).ToArray();

        // Unknown rows say "correct = false": the column is not read for them, which "true" would show.
        var data = new ArrayDataView(
            new("IsUnknown", BooleanDataViewType.Instance, known.Select(_ => false).Concat(unknown.Select(_ => true)).ToArray()),
            new("IsCorrect", BooleanDataViewType.Instance, correct.Concat(unknown.Select(_ => false)).ToArray()),
            new("Score", NumberDataViewType.Single, known.Concat(unknown).ToArray()));

        var m = _ml.Ood().EvaluateOpenSet(data, "IsUnknown", "IsCorrect", "Score");

        Assert.AreEqual(v.GetProperty("openauc").GetDouble(), m.OpenAuc, Tolerance);
        Assert.AreEqual(correct.Count(c => c) / (double)correct.Length, m.ClosedSetAccuracy, Tolerance);
        Assert.AreEqual(known.Length, m.KnownCount);
        Assert.AreEqual(unknown.Length, m.UnknownCount);
    }

    [TestMethod]
    public void OpenWorldFromACorrectColumnMatchesOpenworldAucJson()
    {
        var v = ReferenceVectors.Load("openworldauc");
        float[] baseScores = v.GetProperty("base_score").Floats(), newScores = v.GetProperty("new_score").Floats();
        bool[] baseCorrect = v.GetProperty("base_correct").Bools(), newCorrect = v.GetProperty("new_correct").Bools();
        var data = new ArrayDataView(
            new("IsNew", BooleanDataViewType.Instance, baseScores.Select(_ => false).Concat(newScores.Select(_ => true)).ToArray()),
            new("IsCorrect", BooleanDataViewType.Instance, baseCorrect.Concat(newCorrect).ToArray()),
            new("Score", NumberDataViewType.Single, baseScores.Concat(newScores).ToArray()));

        var m = _ml.Ood().EvaluateOpenWorld(data, "IsNew", "IsCorrect", "Score");

        Assert.AreEqual(v.GetProperty("openworldauc").GetDouble(), m.OpenworldAuc, Tolerance);
        Assert.AreEqual(baseCorrect.Count(c => c) / (double)baseCorrect.Length, m.BaseAccuracy, Tolerance);
        Assert.AreEqual(newCorrect.Count(c => c) / (double)newCorrect.Length, m.NewAccuracy, Tolerance);
    }

    [TestMethod]
    public void LabelAndPredictionOfDifferentTypesAreRefused()
    {
        // Key 2 is the second entry of its own dictionary, not necessarily class 1 of an Int32 column.
        var data = new ArrayDataView(
            new("IsNew", BooleanDataViewType.Instance, new[] { false, true }),
            new("Label", new KeyDataViewType(typeof(uint), 5), new uint[] { 2, 3 }),
            new("Predicted", NumberDataViewType.Int32, new[] { 1, 2 }),
            new("Score", NumberDataViewType.Single, new[] { 0f, 1f }));

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Ood().EvaluateOpenWorld(data, "IsNew", "Label", "Predicted", "Score"));

        Assert.AreEqual("predictedLabelColumnName", ex.ParamName);
        Assert.Contains("Schema mismatch for input column 'Predicted': expected the type of label column 'Label' (Key<UInt32, 0-4>), got Int32", ex.Message);
    }

    [TestMethod]
    public void CorrectColumnMustBeBoolean()
    {
        var data = new ArrayDataView(
            new("IsUnknown", BooleanDataViewType.Instance, new[] { false, true }),
            new("Score", NumberDataViewType.Single, new[] { 0f, 1f }));

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Ood().EvaluateOpenSet(data, "IsUnknown", "Score", "Score"));

        Assert.AreEqual("isCorrectColumnName", ex.ParamName);
        Assert.Contains("Schema mismatch for input column 'Score': expected Boolean, got Single", ex.Message);
    }

    [TestMethod]
    public void ScoreColumnOfAnotherTypeIsASchemaMismatch()
    {
        var data = new ArrayDataView(
            new("IsUnknown", BooleanDataViewType.Instance, new[] { false, true }),
            new("Score", NumberDataViewType.Int32, new[] { 0, 1 }));

        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Ood().Evaluate(data, "IsUnknown", "Score"));

        Assert.AreEqual("scoreColumnName", ex.ParamName);
        Assert.Contains("Schema mismatch for input column 'Score': expected Single or Double, got Int32", ex.Message);
    }
}
