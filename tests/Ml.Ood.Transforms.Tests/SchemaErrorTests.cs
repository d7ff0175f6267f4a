using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Bad input columns fail at Fit, at GetOutputSchema and at Transform, naming column, expected and actual: the cases
/// beyond HeadConformance's (a missing column, a scalar for a vector, a wrong width, for every head).
/// </summary>
[TestClass]
public sealed class SchemaErrorTests
{
    private sealed class WrongTypes
    {
        public float Scalar { get; set; }

        [VectorType]
        public float[] Variable { get; set; } = [];

        [VectorType(3)]
        public double[] Doubles { get; set; } = [];

        [VectorType(4)]
        public float[] Logits { get; set; } = [];
    }

    private static IDataView WrongData(MLContext ml)
        => ml.Data.LoadFromEnumerable([new WrongTypes { Variable = [1, 2], Doubles = [1, 2, 3], Logits = [1, 2, 3, 4] }]);

    [TestMethod]
    [DataRow("Variable", "Schema mismatch for input column 'Variable': expected known-size vector of Single, got Vector<Single>")]
    [DataRow("Doubles", "Schema mismatch for input column 'Doubles': expected known-size vector of Single, got Vector<Double, 3>")]
    public void FitRejectsBadInput(string column, string message)
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Energy("Energy", column).Fit(WrongData(ml)));
        StringAssert.StartsWith(error.Message, message);
    }

    [TestMethod]
    [DataRow("Variable", "Schema mismatch for input column 'Variable': expected known-size vector of Single, got Vector<Single>")]
    [DataRow("Doubles", "Schema mismatch for input column 'Doubles': expected known-size vector of Single, got Vector<Double, known size>")]
    public void EstimatorSchemaRejectsBadInput(string column, string message)
    {
        var ml = new MLContext(seed: 1);
        var shape = Shapes.Of(WrongData(ml).Schema);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().MaxSoftmaxProbability("Msp", column).GetOutputSchema(shape));
        StringAssert.StartsWith(error.Message, message);
    }

    [TestMethod]
    public void AVariableSizeVectorSaysHowToDeclareItsSize()
    {
        // A float[] property without [VectorType(n)] is a Vector<Single> of unknown size: the message must say how to
        // fix it, at Fit, at GetOutputSchema (SchemaShape) and on a fitted head's schema.
        var ml = new MLContext(seed: 1);
        var data = WrongData(ml);
        var fitted = ml.Ood().MaxLogit("MaxLogit", "Logits").Fit(LogitsData.Create(ml, [[1f, 2f, 3f, 4f]]));
        var variableLogits = ml.Data.LoadFromEnumerable([new VariableLogits { Logits = [1, 2, 3, 4] }]);
        string[] messages =
        [
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Energy("Energy", "Variable").Fit(data)).Message,
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Energy("Energy", "Variable").GetOutputSchema(Shapes.Of(data.Schema))).Message,
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => fitted.GetOutputSchema(variableLogits.Schema)).Message,
        ];
        foreach (string message in messages)
        {
            StringAssert.Contains(message, "expected ");
            StringAssert.Contains(message, "got Vector<Single>. Its size is not known: declare it with [VectorType(n)] on the input class's property");
            StringAssert.Contains(message, "a SchemaDefinition with new VectorDataViewType(NumberDataViewType.Single, n)");
        }
        // Other mismatches carry no hint about sizes.
        string doubles = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Energy("Energy", "Doubles").Fit(data)).Message;
        Assert.DoesNotContain("[VectorType(n)]", doubles);
    }

    private sealed class VariableLogits
    {
        public float[] Logits { get; set; } = [];
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(-1f)]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    public void TemperatureMustBePositiveAndFinite(float temperature)
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Ood().Energy("Energy", "Logits", temperature));
        Assert.AreEqual("temperature", error.ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LogitScores.Energy([1f, 2f], temperature));
    }

    [TestMethod]
    public void SpanFunctionsRejectBadShapes()
    {
        Assert.ThrowsExactly<ArgumentException>(() => LogitScores.MaxLogit(ReadOnlySpan<float>.Empty));
        Assert.ThrowsExactly<ArgumentException>(() => LogitScores.Energy(new float[7], 3, new float[3]));
        Assert.ThrowsExactly<ArgumentException>(() => LogitScores.MaxSoftmaxProbability(new float[6], 3, new float[1]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LogitScores.MaxLogit(new float[6], 0, new float[1]));
    }
}
