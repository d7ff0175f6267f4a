using System.Text.Json;

namespace Ml.Ood.Tests;

/// <summary>
/// The independent values of tests/ReferenceVectors/posthoc_features.json (numpy, checked against OpenOOD; docs/FORMULAS.md
/// "Post-hoc heads"): 600 training rows and 80 test rows of 32-d post-ReLU features, a 10-class layer, and one case per
/// head and setting.
/// </summary>
internal sealed class PosthocFeatureReference
{
    private readonly JsonElement[] _cases;

    private PosthocFeatureReference(JsonElement root)
    {
        TrainFeatures = Matrix(root.GetProperty("train_features"));
        TrainLabels = [.. root.GetProperty("train_labels").EnumerateArray().Select(v => v.GetInt32())];
        Features = Matrix(root.GetProperty("features"));
        var weights = Matrix(root.GetProperty("weight"));
        Layer = OodClassifierLayer.FromArrays(weights, [.. root.GetProperty("bias").EnumerateArray().Select(v => v.GetSingle())]);
        _cases = [.. root.GetProperty("cases").EnumerateArray().Select(c => c.Clone())];
    }

    public float[][] TrainFeatures { get; }

    public int[] TrainLabels { get; }

    /// <summary>The rows every case scores.</summary>
    public float[][] Features { get; }

    /// <summary>The classifier: logits = features W^T + b.</summary>
    public OodClassifierLayer Layer { get; }

    public static PosthocFeatureReference Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("posthoc_features.json")));
        return new PosthocFeatureReference(json.RootElement);
    }

    /// <summary>The one case of <paramref name="head"/> whose properties include <paramref name="where"/>'s (integers).</summary>
    public JsonElement Case(string head, params (string Name, int Value)[] where)
        => _cases.Single(c => c.GetProperty("head").GetString() == head && where.All(w => c.GetProperty(w.Name).GetInt32() == w.Value));

    public static double[] Scores(JsonElement referenceCase) => [.. referenceCase.GetProperty("score").EnumerateArray().Select(v => v.GetDouble())];

    private static float[][] Matrix(JsonElement element)
        => [.. element.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray())];
}
