using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Trainers.Tests;

/// <summary>Labelled logits with the label as an int, a float and a key.</summary>
internal sealed class LabelledLogitsRow
{
    public float[] Logits { get; set; } = [];

    public int Label { get; set; }

    public float FloatLabel { get; set; }

    /// <summary>The class as a key: LoadFromEnumerable stores value v as key v + 1 (measured), i.e. class v.</summary>
    [KeyType(1000)]
    public uint KeyLabel { get; set; }
}

/// <summary>
/// Temperature scaling with T fitted on labelled validation rows, against tests/ReferenceVectors/posthoc_logits.json (the
/// true NLL minimiser, to 1e-8) and a hand-solved case; and every way a fit can have no answer.
/// </summary>
[TestClass]
public sealed class TemperatureScalingFitTests
{
    private static readonly JsonDocument Reference = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("posthoc_logits.json")));
    private static readonly float[][] ValidationLogits = Matrix("validation_logits");
    private static readonly int[] ValidationLabels = Reference.RootElement.GetProperty("validation_labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
    private static readonly JsonElement FittedCase = Reference.RootElement.GetProperty("cases").EnumerateArray()
        .Single(c => c.GetProperty("head").GetString() == "temperature_scaling" && c.GetProperty("how").GetString() == "fitted");

    [TestMethod]
    [DataRow("Label")]
    [DataRow("FloatLabel")]
    [DataRow("KeyLabel")]
    public void FitsTheReferenceTemperatureAndScores(string labelColumn)
    {
        double reference = FittedCase.GetProperty("temperature").GetDouble();
        var expected = FittedCase.GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var ml = new MLContext(seed: 1);
        var model = ml.Ood().TemperatureScaling("Ts", "Logits", labelColumn, execution: new() { BlockSize = 7 })
            .Fit(Labelled(ml, ValidationLogits, ValidationLabels));

        var settings = model.GetSettings<TemperatureScalingSettings>();
        // The head holds the float nearest the optimum: within float's half spacing of the reference.
        Assert.AreEqual(reference, settings.Temperature, reference * 6e-8, "fitted T");
        Assert.AreEqual(labelColumn, settings.LabelColumn);
        Assert.AreEqual(400L, settings.ValidationRows);
        Assert.AreEqual(Nll(ValidationLogits, ValidationLabels, reference), settings.ValidationNegativeLogLikelihood!.Value, 1e-10, "validation NLL");

        var logits = Matrix("logits");
        var data = LogitsData.Create(ml, logits);
        EmbeddingData.AssertClose(expected, HeadHarness.Batched(model, data, "Ts"), "fitted temperature scaling batched");
        EmbeddingData.AssertClose(expected, HeadHarness.PerRow(ml, model, data, logits, "Ts"), "fitted temperature scaling per row");
        Assert.AreEqual("temperature_scaling", model.Head.Kind);
    }

    [TestMethod]
    public void TheFitterReachesTheReferenceInDouble()
    {
        double reference = FittedCase.GetProperty("temperature").GetDouble();
        var fit = TemperatureFitter.Fit(ValidationLogits.SelectMany(r => r).ToArray(), ValidationLabels, ValidationLogits[0].Length);
        Assert.AreEqual(TemperatureFitter.Failure.None, fit.Failure);
        Assert.AreEqual(reference, fit.Temperature, reference * 1e-8, "the vectors give T to 1e-8");
        // The minimum: the NLL rises on both sides (computed here, not by the fitter).
        double at = Nll(ValidationLogits, ValidationLabels, fit.Temperature);
        Assert.IsLessThan(Nll(ValidationLogits, ValidationLabels, fit.Temperature * (1 + 1e-4)), at);
        Assert.IsLessThan(Nll(ValidationLogits, ValidationLabels, fit.Temperature * (1 - 1e-4)), at);
        // OpenOOD's starting point, T = 1.5, is not the optimum.
        Assert.IsGreaterThan(at, Nll(ValidationLogits, ValidationLabels, 1.5));
    }

    [TestMethod]
    public void AHandSolvedFit()
    {
        // Three rows z = (1, 0) with labels 0, 0, 1: NLL(beta) = log(1 + e^beta) - 2 beta / 3, whose derivative
        // sigmoid(beta) - 2/3 vanishes at beta = ln 2: T = 1 / ln 2.
        float[] logits = [1, 0, 1, 0, 1, 0];
        var fit = TemperatureFitter.Fit(logits, [0, 0, 1], 2);
        Assert.AreEqual(1 / Math.Log(2), fit.Temperature, 1e-13);
        Assert.AreEqual(Math.Log(1 + 2) - 2 * Math.Log(2) / 3, fit.NegativeLogLikelihood, 1e-13);
    }

    [TestMethod]
    public void SeparableRowsHaveNoTemperature()
    {
        // Every label is its row's largest logit (one tie included): the NLL falls all the way to T = 0.
        var ml = new MLContext(seed: 1);
        var data = Labelled(ml, [[3, 0, 0], [0, 2, 2], [-1, -5, 4]], [0, 1, 2]);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ood().TemperatureScaling("Ts", "Logits", "Label").Fit(data));
        Assert.AreEqual(OodErrors.Format(OodErrors.TemperatureSeparable, "Logits", 3, "Label"), error.Message);
        StringAssert.Contains(error.Message, "has no minimum");
        StringAssert.Contains(error.Message, "held-out validation rows");
    }

    [TestMethod]
    public void LogitsThatDoNotRankTheLabelsHaveNoTemperature()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Ood().TemperatureScaling("Ts", "Logits", "Label");
        // The labels are the smallest logits; then constant rows, where every T gives log C.
        foreach (var (logits, labels) in new[] { (new float[][] { [3, 0, 1], [0, 2, -1] }, new[] { 1, 2 }), ([[1, 1, 1], [2, 2, 2]], [0, 1]) })
        {
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(Labelled(ml, logits, labels)));
            Assert.AreEqual(OodErrors.Format(OodErrors.TemperatureNoSignal, "Logits", 2, "Label"), error.Message);
        }
    }

    [TestMethod]
    public void ALabelBeyondTheLogitsIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var data = Labelled(ml, [[3, 0, 0], [0, 1, 2], [0, 1, 2]], [0, 2, 3]);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().TemperatureScaling("Ts", "Logits", "Label").Fit(data));
        StringAssert.StartsWith(error.Message, OodErrors.Format(OodErrors.TemperatureLabelBeyondLogits, "Label", 3, 2, "Logits", 3, 2));
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(0.5f)]
    public void MissingAndFractionalLabelsAreRefused(float label)
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows([[3, 0, 0], [0, 1, 2]], [0, 1]);
        rows[1].FloatLabel = label;
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Ood().TemperatureScaling("Ts", "Logits", "FloatLabel").Fit(Load(ml, rows)));
        StringAssert.StartsWith(error.Message, OodErrors.Format(OodErrors.ClassLabelNotWhole, "FloatLabel", label, 1));
    }

    [TestMethod]
    public void TheLabelColumnIsCheckedBeforeAnyRowIsRead()
    {
        var ml = new MLContext(seed: 1);
        var data = Labelled(ml, ValidationLogits, ValidationLabels);
        var estimator = ml.Ood().TemperatureScaling("Ts", "Logits", "Missing");
        string expected = OodErrors.Format(OodErrors.ColumnNotFound, "Missing");
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data)).Message, expected);
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Shapes.Of(data.Schema))).Message, expected);

        var vectorLabel = ml.Ood().TemperatureScaling("Ts", "Logits", "Logits");
        string mismatch = OodErrors.Format(OodErrors.SchemaMismatch, "Logits", OodErrors.ExpectedClassLabel, "");
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => vectorLabel.Fit(data)).Message, mismatch);
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => vectorLabel.GetOutputSchema(Shapes.Of(data.Schema))).Message, mismatch);
    }

    [TestMethod]
    public void NoRowsAndProbabilitiesAreRefused()
    {
        var ml = new MLContext(seed: 1);
        var estimator = ml.Ood().TemperatureScaling("Ts", "Logits", "Label");
        var empty = Load(ml, [], width: 3);
        Assert.AreEqual(OodErrors.Format(OodErrors.TemperatureNoRows, "Logits"), Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(empty)).Message);

        var probabilities = Labelled(ml, [[0.7f, 0.2f, 0.1f], [0.05f, 0.9f, 0.05f]], [1, 1]);
        Assert.AreEqual(OodErrors.Format(OodErrors.ProbabilitiesNotLogits, "Logits", "temperature scaling", 2),
            Assert.ThrowsExactly<InvalidOperationException>(() => estimator.Fit(probabilities)).Message);
        ml.Ood().TemperatureScaling("Ts", "Logits", "Label", allowProbabilities: true).Fit(probabilities);
    }

    /// <summary>The mean NLL of softmax(z / T), written out here so that no expected value comes from the fitter.</summary>
    private static double Nll(float[][] logits, int[] labels, double temperature)
    {
        double total = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double max = logits[i].Max() / temperature;
            double sum = logits[i].Sum(z => Math.Exp(z / temperature - max));
            total += max + Math.Log(sum) - logits[i][labels[i]] / temperature;
        }
        return total / logits.Length;
    }

    private static float[][] Matrix(string name)
        => Reference.RootElement.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    private static List<LabelledLogitsRow> Rows(float[][] logits, int[] labels)
        => logits.Select((z, i) => new LabelledLogitsRow { Logits = z, Label = labels[i], FloatLabel = labels[i], KeyLabel = (uint)labels[i] }).ToList();

    internal static IDataView Labelled(MLContext ml, float[][] logits, int[] labels) => Load(ml, Rows(logits, labels), logits[0].Length);

    private static IDataView Load(MLContext ml, List<LabelledLogitsRow> rows, int? width = null)
    {
        var definition = SchemaDefinition.Create(typeof(LabelledLogitsRow));
        definition[nameof(LabelledLogitsRow.Logits)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width ?? rows[0].Logits.Length);
        var data = ml.Data.LoadFromEnumerable(rows, definition);
        Assert.IsInstanceOfType<KeyDataViewType>(data.Schema[nameof(LabelledLogitsRow.KeyLabel)].Type);
        return data;
    }
}
