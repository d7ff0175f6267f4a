using System.Text.Json;
using Microsoft.ML;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// tests/ReferenceVectors/oodd_vl_stream.json: the numpy transcription of OODD's official CLIP variants
/// (tests/Ml.Ood.Benchmarks/peer/oodd_vl.py) on a seeded stream, with every row's expected score for s_id = MCM and for
/// s_id = NegLabel.
/// </summary>
internal sealed class OoddVisionLanguageStream
{
    public static OoddVisionLanguageStream Instance { get; } = Load();

    public required float[][] IdLabels { get; init; }

    public required float[][] NegativeLabels { get; init; }

    public required float[][] Rows { get; init; }

    public required IReadOnlyList<Case> Cases { get; init; }

    public Case this[string confidence] => Cases.Single(c => c.Name == confidence);

    /// <summary>The file's settings as options (the update batch is the file's), with a block size when given.</summary>
    public OoddVisionLanguageOptions Options(Case c, int? blockSize = null, string column = "Embedding") => new()
    {
        OutputColumnName = "Oodd",
        ImageColumnName = column,
        IdLabelEmbeddings = IdLabels,
        NegativeLabelEmbeddings = c.Confidence == OoddConfidence.NegativeLabels ? NegativeLabels : null,
        Confidence = c.Confidence,
        Temperature = c.Temperature,
        Groups = c.Groups,
        K2 = c.K2,
        Capacity = c.Capacity,
        UpdateBatch = c.Batch,
        Execution = blockSize is int b ? new OodExecutionOptions { BlockSize = b } : null,
    };

    public OodTestTimeTransformer Fit(MLContext ml, Case c, int? blockSize = null)
        => ml.Ood().OoddVisionLanguage(Options(c, blockSize)).Fit(ImageEmbeddings.Create(ml, Rows.Take(3).ToArray()));

    /// <summary>One case of the file.</summary>
    internal sealed record Case(string Name, OoddConfidence Confidence, float Temperature, int Groups, int K2, int Capacity, int Batch,
        double[] ExpectedScores, double[] ExpectedConfidence, int Evictions, long[] HeldAtEnd);

    private static OoddVisionLanguageStream Load()
    {
        var root = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("oodd_vl_stream.json"))).RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c =>
        {
            string name = c.GetProperty("confidence").GetString()!;
            return new Case(name, name == "mcm" ? OoddConfidence.Mcm : OoddConfidence.NegativeLabels,
                c.GetProperty("temperature").GetSingle(), c.GetProperty("groups").GetInt32(), c.GetProperty("k2").GetInt32(),
                c.GetProperty("capacity").GetInt32(), c.GetProperty("batch").GetInt32(), Vector(c.GetProperty("expected_scores")),
                Vector(c.GetProperty("expected_confidence")), c.GetProperty("evictions").GetInt32(),
                c.GetProperty("held_at_end").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        }).ToList();
        return new OoddVisionLanguageStream
        {
            IdLabels = Matrix(root.GetProperty("id_labels")),
            NegativeLabels = Matrix(root.GetProperty("negative_labels")),
            Rows = Matrix(root.GetProperty("rows")),
            Cases = cases,
        };
    }

    private static float[][] Matrix(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    private static double[] Vector(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
}
