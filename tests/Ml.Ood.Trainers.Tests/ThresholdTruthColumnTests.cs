using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// The threshold fitted on the ID rows of a mixed view (a Boolean truth column, true = OOD, whose true rows are
/// skipped), its refusal of MlOod's own decision columns, and its typed settings.
/// </summary>
[TestClass]
public sealed class ThresholdTruthColumnTests
{
    private sealed class MixedRow
    {
        public float Score { get; set; }

        public bool IsOodTruth { get; set; }

        public float NotBoolean { get; set; }
    }

    [TestMethod]
    public void OnlyTheIdRowsAreCalibratedOn()
    {
        // ID scores 1..20 and ten OOD rows scoring 100..109, interleaved, plus one OOD row whose score is NaN (never read
        // for calibration, so not an error). On the ID rows t = the ceil(0.95 * 20) = 19th smallest = 19. Calibrated on
        // all 30 finite rows it would be the ceil(0.95 * 30) = 29th smallest = 108.
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(1, 20).Select(i => new MixedRow { Score = i })
            .Concat(Enumerable.Range(100, 10).Select(s => new MixedRow { Score = s, IsOodTruth = true }))
            .Append(new MixedRow { Score = float.NaN, IsOodTruth = true })
            .OrderBy(r => r.Score % 7).ToList();
        var mixed = ml.Data.LoadFromEnumerable(rows);

        var estimator = ml.Ood().Threshold("IsOod", "Score", isOodColumnName: "IsOodTruth");
        Assert.AreEqual("IsOodTruth", estimator.IsOodColumnName);
        var model = estimator.Fit(mixed);
        Assert.AreEqual(new ThresholdSettings(19f, 0.95, 20, "IsOodTruth"), model.ThresholdSettings);

        var decisions = model.Transform(mixed).GetColumn<bool>("IsOod").ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(!(rows[i].Score <= 19f), decisions[i], $"score {rows[i].Score}");
        }
    }

    [TestMethod]
    public void MlOodDecisionColumnsAreRefusedAsTruth()
    {
        // A column annotated MlOod.Decision (as the batched heads mark their decisions) is a prediction: calibrating on
        // it would feed the detector's output back into it. The annotation is written here as MlOod writes it
        // (OodAnnotations.AddDecision: kind MlOod.Decision, Boolean value true).
        var ml = new MLContext(seed: 1);
        var definition = SchemaDefinition.Create(typeof(MixedRow));
        definition[nameof(MixedRow.IsOodTruth)].AddAnnotation(OodAnnotations.DecisionKind, true, BooleanDataViewType.Instance);
        var decided = ml.Data.LoadFromEnumerable(Enumerable.Range(1, 20).Select(i => new MixedRow { Score = i }).ToList(), definition);
        Assert.IsTrue(OodAnnotations.IsDecision(decided.Schema["IsOodTruth"]), "precondition: the column is marked as a decision");
        var estimator = ml.Ood().Threshold("IsOod", "Score", isOodColumnName: "IsOodTruth");

        var atFit = Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(decided));
        var atSchema = Assert.ThrowsExactly<ArgumentException>(() => estimator.GetOutputSchema(Shapes.Of(decided.Schema)));
        foreach (var error in new[] { atFit, atSchema })
        {
            Assert.AreEqual("isOodColumnName", error.ParamName);
            StringAssert.StartsWith(error.Message, "Column 'IsOodTruth' is an MlOod decision column (a prediction, marked MlOod.Decision), not the truth");
        }
    }

    [TestMethod]
    public void AnEstimatorChainRefusesAnEarlierDecisionAsTruth()
    {
        // The first threshold's estimator must promise the decision mark its transformer writes, so that a pipeline
        // refuses its decision as the next one's truth before anything is fitted, not only at Fit.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(1, 20).Select(i => new MixedRow { Score = i }).ToList());
        var pipeline = ml.Ood().Threshold("IsOod", "Score").Append(ml.Ood().Threshold("Again", "Score", isOodColumnName: "IsOod"));

        var error = Assert.ThrowsExactly<ArgumentException>(() => pipeline.GetOutputSchema(Shapes.Of(data.Schema)));
        Assert.AreEqual("isOodColumnName", error.ParamName);
        StringAssert.StartsWith(error.Message, "Column 'IsOod' is an MlOod decision column");
        Assert.ThrowsExactly<ArgumentException>(() => pipeline.Fit(data));
    }

    [TestMethod]
    public void TruthColumnErrorsUseMlNetWording()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new List<MixedRow> { new() { Score = 1 } });
        var shape = Shapes.Of(data.Schema);
        (string Column, string Message)[] cases =
        [
            ("Missing", "Could not find input column 'Missing'"),
            ("NotBoolean", "Schema mismatch for input column 'NotBoolean': expected Boolean, got Single"),
        ];
        foreach (var (column, message) in cases)
        {
            var estimator = ml.Ood().Threshold("IsOod", "Score", isOodColumnName: column);
            StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data)).Message, message);
            StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(shape)).Message, message);
        }
        Assert.AreEqual("isOodColumnName", Assert.Throws<ArgumentException>(() => ml.Ood().Threshold("IsOod", "Score", isOodColumnName: " ")).ParamName);
    }

    [TestMethod]
    public void AViewWithNoIdRowsIsAnError()
    {
        var ml = new MLContext(seed: 1);
        var allOod = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 3).Select(i => new MixedRow { Score = i, IsOodTruth = true }).ToList());
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().Threshold("IsOod", "Score", isOodColumnName: "IsOodTruth").Fit(allOod));
        StringAssert.StartsWith(error.Message, "Column 'Score' has no in-distribution rows: 'IsOodTruth' marks all 3 rows out-of-distribution");
    }

    [TestMethod]
    public void OnlyThresholdHeadsHaveThresholdSettings()
    {
        var ml = new MLContext(seed: 1);
        var energy = ml.Ood().Energy("EnergyScore", "Logits").Fit(LogitsData.Create(ml, [[1f, 2f]]));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => energy.ThresholdSettings);
        Assert.AreEqual("The head writing 'EnergyScore' is a 'energy' head, not a 'threshold' head.", error.Message);
    }
}
