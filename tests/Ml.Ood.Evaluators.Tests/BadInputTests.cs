namespace Ml.Ood.Evaluators.Tests;

/// <summary>Every degenerate or malformed input of the span API throws, naming the argument and the problem.</summary>
[TestClass]
public sealed class BadInputTests
{
    [TestMethod]
    public void DetectionWithoutIdRowsThrows()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateDetection([true, true], [1f, 2f]));
        Assert.AreEqual("isOod", ex.ParamName);
        Assert.Contains("no in-distribution rows", ex.Message);
    }

    [TestMethod]
    public void DetectionWithoutOodRowsThrows()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.AreaUnderRocCurve([false, false], [1f, 2f]));
        Assert.AreEqual("isOod", ex.ParamName);
        Assert.Contains("no out-of-distribution rows", ex.Message);
    }

    [TestMethod]
    public void DetectionOfNothingThrows()
    {
        Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateDetection([], Array.Empty<float>()));
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void DetectionWithNonFiniteScoreThrowsNamingTheRow(float bad)
    {
        float[] scores = [0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f, 16f, 17f, 18f];
        scores[17] = bad;
        bool[] isOod = scores.Select((_, i) => i % 2 == 0).ToArray();

        var ex = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateDetection(isOod, scores));

        Assert.AreEqual("scores", ex.ParamName);
        Assert.Contains("NaN or infinite score at row 17", ex.Message);
    }

    [TestMethod]
    public void DetectionWithMismatchedLengthsThrows()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateDetection([true, false, true], [1f, 2f]));
        Assert.AreEqual("scores", ex.ParamName);
        Assert.Contains("'scores' has 2 values but 'isOod' has 3", ex.Message);
    }

    [TestMethod]
    public void OpenSetBadInputsThrow()
    {
        var lengths = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.OpenAuc([0f, 1f], [true], [2f]));
        Assert.AreEqual("knownCorrect", lengths.ParamName);
        Assert.Contains("'knownCorrect' has 1 values but 'knownScores' has 2", lengths.Message);
        var noKnown = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.OpenAuc([], [], [2f]));
        Assert.AreEqual("knownScores", noKnown.ParamName);
        var noUnknown = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.OpenAuc([1f], [true], []));
        Assert.AreEqual("unknownScores", noUnknown.ParamName);
        var nan = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.OpenAuc([1f], [true], [float.NaN]));
        Assert.AreEqual("unknownScores", nan.ParamName);
        var doubleNaN = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.OpenAuc([1d, double.NaN], [true, true], [2d]));
        Assert.AreEqual("knownScores", doubleNaN.ParamName);
        Assert.Contains("NaN or infinite score at row 1", doubleNaN.Message);
    }

    [TestMethod]
    public void OpenWorldBadInputsThrow()
    {
        Assert.AreEqual("baseCorrect", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.OpenworldAuc([1f], [true, false], [2f], [true])).ParamName);
        Assert.AreEqual("newCorrect", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.OpenworldAuc([1f], [true], [2f], [])).ParamName);
        Assert.AreEqual("baseScores", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.OpenworldAuc([], [], [2f], [true])).ParamName);
        Assert.AreEqual("newScores", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.OpenworldAuc([1f], [true], [], [])).ParamName);
        Assert.AreEqual("baseScores", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.OpenworldAuc([float.PositiveInfinity], [true], [2f], [true])).ParamName);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-1)]
    [DataRow(4)]
    public void TopKWithKOutOfRangeThrows(int k)
    {
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OodMetrics.EvaluateTopK([1f, 2f, 3f], [0], 3, k));
        Assert.AreEqual("k", ex.ParamName);
        Assert.Contains("between 1 and 3", ex.Message);
    }

    [TestMethod]
    [DataRow(3)]
    [DataRow(-1)]
    public void TopKWithLabelOutOfRangeThrows(int label)
    {
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OodMetrics.EvaluateTopK([1f, 2f, 3f, 1f, 2f, 3f], [0, label], 3, 2));
        Assert.AreEqual("labels", ex.ParamName);
        Assert.Contains("at row 1; labels must be in [0, 3)", ex.Message);
    }

    [TestMethod]
    public void TopKMalformedInputsThrow()
    {
        Assert.AreEqual("scores", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateTopK([1f, 2f, 3f, 4f], [0], 3, 1)).ParamName);
        Assert.AreEqual("labels", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateTopK(Array.Empty<float>(), [], 3, 1)).ParamName);
        Assert.AreEqual("scores", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateTopK([1f, float.NaN, 3f], [0], 3, 1)).ParamName);
        Assert.AreEqual("classCount", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OodMetrics.EvaluateTopK(Array.Empty<float>(), [], 0, 1)).ParamName);
    }

    [TestMethod]
    public void MultiLabelWithTooFewNegativesThrows()
    {
        // Row 1 has 3 positives of 4 labels: 1 negative < k = 2.
        float[] scores = [1f, 2f, 3f, 4f, 1f, 2f, 3f, 4f];
        bool[] positive = [true, false, false, false, true, true, true, false];

        var ex = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateMultiLabelRanking(scores, positive, 4, 2));
        Assert.AreEqual("isPositive", ex.ParamName);
        Assert.Contains("row 1 has 1 negative labels, fewer than k = 2", ex.Message);
        Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.TopKPairwiseRanking(scores, positive, 4, 2));
    }

    [TestMethod]
    public void MultiLabelWithoutAnyPositiveThrows()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateMultiLabelRanking([1f, 2f, 3f], [false, false, false], 3, 1));
        Assert.Contains("no row with a positive label", ex.Message);
        Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.TopKPairwiseRanking([1f, 2f, 3f], [false, false, false], 3, 1));
    }

    [TestMethod]
    public void MultiLabelMalformedInputsThrow()
    {
        Assert.AreEqual("k", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OodMetrics.EvaluateMultiLabelRanking([1f, 2f], [true, false], 2, 3)).ParamName);
        Assert.AreEqual("k", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OodMetrics.TopKPairwiseRanking([1f, 2f], [true, false], 2, 0)).ParamName);
        Assert.AreEqual("isPositive", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateMultiLabelRanking([1f, 2f], [true], 2, 1)).ParamName);
        Assert.AreEqual("scores", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateMultiLabelRanking([1f, 2f, 3f], [true, false, false], 2, 1)).ParamName);
        Assert.AreEqual("scores", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateMultiLabelRanking([1f, float.NaN], [true, false], 2, 1)).ParamName);
        Assert.AreEqual("scores", Assert.ThrowsExactly<ArgumentException>(() => OodMetrics.EvaluateMultiLabelRanking(Array.Empty<float>(), [], 2, 1)).ParamName);
    }
}
