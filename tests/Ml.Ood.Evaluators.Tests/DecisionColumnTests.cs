using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Evaluators.Tests;

/// <summary>
/// Issue 10, defect 9: <c>Evaluate(scored, scoreColumnName: ...)</c> defaulted its truth column to "IsOod", the
/// name the README gives the Threshold head's decision, and returned perfect metrics on a 281/319 split whose
/// truth was 300/300. No truth column has a default any more, and a column marked as an MlOod decision is refused.
/// </summary>
[TestClass]
public sealed class DecisionColumnTests
{
    private const double Tolerance = 1e-12;
    private readonly MLContext _ml = new(seed: 1);

    [TestMethod]
    public void ThresholdDecisionGivenAsTruthIsRefusedInsteadOfScoringPerfectly()
    {
        // 300 ID rows: 281 score 0, 19 score 2. 300 OOD rows score 1. A threshold at 0.5 flags 319 rows as OOD
        // and keeps 281 as ID: against that decision the score is perfectly separating (AUROC 1). Against the
        // truth, every OOD row beats the 281 low ID rows and loses to the 19 high ones: AUROC = 281 / 300.
        float[] scores = [.. Enumerable.Repeat(0f, 281), .. Enumerable.Repeat(2f, 19), .. Enumerable.Repeat(1f, 300)];
        bool[] truth = [.. Enumerable.Repeat(false, 300), .. Enumerable.Repeat(true, 300)];
        bool[] decision = scores.Select(s => s > 0.5f).ToArray();
        Assert.AreEqual(319, decision.Count(d => d));
        var data = new ArrayDataView(
            new("IsOod", BooleanDataViewType.Instance, decision, IsDecision: true),
            new("IsOodTruth", BooleanDataViewType.Instance, truth),
            new("KnnScore", NumberDataViewType.Single, scores));

        var ex = Assert.ThrowsExactly<ArgumentException>(() => _ml.Ood().Evaluate(data, isOodColumnName: "IsOod", scoreColumnName: "KnnScore"));

        Assert.AreEqual("isOodColumnName", ex.ParamName);
        Assert.Contains("'IsOod' is an MlOod decision column (a prediction", ex.Message);
        Assert.Contains("not the ground truth", ex.Message);
        var metrics = _ml.Ood().Evaluate(data, isOodColumnName: "IsOodTruth", scoreColumnName: "KnnScore");
        Assert.AreEqual(281.0 / 300, metrics.AreaUnderRocCurve, Tolerance);
        Assert.AreEqual(300, metrics.OodCount);
    }

    [TestMethod]
    public void EveryEvaluatorRefusesADecisionColumnAsTruthOrCorrectness()
    {
        // The annotation set through a SchemaDefinition, as a user's own view or LoadFromEnumerable carries it.
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Decision)].AddAnnotation(OodAnnotations.DecisionKind, true, BooleanDataViewType.Instance);
        var rows = new[]
        {
            new Row { Truth = false, Decision = false, Correct = true, Label = 1, Predicted = 1, Score = 0.1f },
            new Row { Truth = true, Decision = true, Correct = true, Label = 2, Predicted = 2, Score = 0.9f },
        };
        var data = _ml.Data.LoadFromEnumerable(rows, definition);
        Assert.IsTrue(OodAnnotations.IsDecision(data.Schema["Decision"]));

        AssertRefused("isOodColumnName", () => _ml.Ood().Evaluate(data, "Decision", "Score"));
        AssertRefused("isUnknownColumnName", () => _ml.Ood().EvaluateOpenSet(data, "Decision", "Correct", "Score"));
        AssertRefused("isUnknownColumnName", () => _ml.Ood().EvaluateOpenSet(data, "Decision", "Label", "Predicted", "Score"));
        AssertRefused("isCorrectColumnName", () => _ml.Ood().EvaluateOpenSet(data, "Truth", "Decision", "Score"));
        AssertRefused("isNewColumnName", () => _ml.Ood().EvaluateOpenWorld(data, "Decision", "Correct", "Score"));
        AssertRefused("isNewColumnName", () => _ml.Ood().EvaluateOpenWorld(data, "Decision", "Label", "Predicted", "Score"));
        AssertRefused("isCorrectColumnName", () => _ml.Ood().EvaluateOpenWorld(data, "Truth", "Decision", "Score"));

        // The same view with the truth column evaluates.
        Assert.AreEqual(1.0, _ml.Ood().Evaluate(data, "Truth", "Score").AreaUnderRocCurve, Tolerance);
    }

    [TestMethod]
    public void NoEvaluatorHasADefaultForATruthOrScoreColumn()
    {
        // A default is what let "IsOod" (the decision's README name) be read as the truth without the user naming it.
        var methods = typeof(OodCatalogEvaluationExtensions).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name is "Evaluate" or "EvaluateOpenSet" or "EvaluateOpenWorld")
            .ToArray();
        Assert.HasCount(5, methods);
        foreach (var method in methods)
        {
            foreach (var parameter in method.GetParameters().Where(p => p.ParameterType == typeof(string)))
            {
                Assert.IsFalse(parameter.HasDefaultValue, $"{method.Name}({parameter.Name}) has a default");
            }
        }
    }

    private static void AssertRefused(string parameter, Action evaluate)
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(evaluate);
        Assert.AreEqual(parameter, ex.ParamName);
        Assert.Contains("'Decision' is an MlOod decision column", ex.Message);
    }

    private sealed class Row
    {
        public bool Truth { get; set; }

        public bool Decision { get; set; }

        public bool Correct { get; set; }

        public int Label { get; set; }

        public int Predicted { get; set; }

        public float Score { get; set; }
    }
}
