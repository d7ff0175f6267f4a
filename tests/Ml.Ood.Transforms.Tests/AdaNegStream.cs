using System.Text.Json;
using Ml.Ood.Tests;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// tests/ReferenceVectors/adaneg_stream.json: the numpy transcription of the official AdaNeg rule
/// (tests/Ml.Ood.Benchmarks/peer/adaneg.py) on a seeded stream, with every row's expected score.
/// </summary>
internal sealed class AdaNegStream
{
    public static AdaNegStream Instance { get; } = Load("adaneg_stream.json");

    /// <summary>adaneg_samada_stream.json: the same stream and labels, scored with the sample-adaptive proxies (samada).</summary>
    public static AdaNegStream SampleAdaptive { get; } = Load("adaneg_samada_stream.json");

    public required float[][] IdLabels { get; init; }

    public required float[][] NegativeLabels { get; init; }

    public required float[][] Rows { get; init; }

    public required double[] ExpectedScores { get; init; }

    public required double[] ExpectedVanillaConfidence { get; init; }

    public required int[] ReplacementsPerBatch { get; init; }

    public required long Appends { get; init; }

    public required long Replacements { get; init; }

    public required int Batch { get; init; }

    public required AdaNegOptions Options { get; init; }

    public int Width => IdLabels[0].Length;

    /// <summary>A fresh state from the file's labels and settings (update batch = the file's batch).</summary>
    public AdaNegState NewState(Action<AdaNegOptions>? change = null)
    {
        var options = Options.Copy();
        change?.Invoke(options);
        return new AdaNegState(AdaNegRule.Create(IdLabels, NegativeLabels, options));
    }

    /// <summary>Rows [start, start + count) flattened row-major.</summary>
    public float[] Flat(int start, int count) => Rows.Skip(start).Take(count).SelectMany(r => r).ToArray();

    /// <summary>Feeds rows [start, end) in update batches of the state's B and returns their scores.</summary>
    public float[] Feed(TestTimeState state, int start, int end)
    {
        var scores = new List<float>();
        for (int s = start; s < end; s += state.UpdateBatch)
        {
            int count = Math.Min(state.UpdateBatch, end - s);
            var batch = new float[count];
            state.ScoreBatch(Flat(s, count), count, batch);
            scores.AddRange(batch);
        }
        return [.. scores];
    }

    private static AdaNegStream Load(string file)
    {
        var root = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector(file))).RootElement;
        var settings = root.GetProperty("settings");
        return new AdaNegStream
        {
            IdLabels = Matrix(root.GetProperty("id_labels")),
            NegativeLabels = Matrix(root.GetProperty("negative_labels")),
            Rows = Matrix(root.GetProperty("rows")),
            ExpectedScores = Vector(root.GetProperty("expected_scores")),
            ExpectedVanillaConfidence = Vector(root.GetProperty("expected_vanilla_confidence")),
            ReplacementsPerBatch = root.GetProperty("replacements_per_batch").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
            Appends = root.GetProperty("appends").GetInt64(),
            Replacements = root.GetProperty("replacements").GetInt64(),
            Batch = settings.GetProperty("batch").GetInt32(),
            Options = new AdaNegOptions
            {
                MemoryLength = settings.GetProperty("memory_length").GetInt32(),
                Threshold = settings.GetProperty("thres").GetSingle(),
                Gap = settings.GetProperty("gap").GetSingle(),
                Lambda = settings.GetProperty("lambda_val").GetSingle(),
                Groups = settings.GetProperty("groups").GetInt32(),
                Temperature = settings.GetProperty("tau").GetSingle(),
                UpdateBatch = settings.GetProperty("batch").GetInt32(),
                SampleAdaptiveBeta = settings.TryGetProperty("samada", out var beta) ? beta.GetInt32() : null,
            },
        };
    }

    private static float[][] Matrix(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    private static double[] Vector(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
}
