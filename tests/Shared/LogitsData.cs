using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Tests;

/// <summary>One row of test data: logits plus columns that a head must pass through unchanged.</summary>
internal sealed class LogitsRow
{
    public float[] Logits { get; set; } = [];

    public int Id { get; set; }

    public string Name { get; set; } = "";

    public float[] Extra { get; set; } = [];
}

/// <summary>Builds in-memory views of logits with a known vector size, as a trained model's Score column has.</summary>
internal static class LogitsData
{
    public static IDataView Create(MLContext ml, IReadOnlyList<float[]> logits)
    {
        int classes = logits[0].Length;
        var rows = logits.Select((z, i) => new LogitsRow
        {
            Logits = z,
            Id = i,
            Name = $"row-{i}",
            Extra = [i, -i, 0.5f * i],
        }).ToList();
        var definition = SchemaDefinition.Create(typeof(LogitsRow));
        definition[nameof(LogitsRow.Logits)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        definition[nameof(LogitsRow.Extra)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>Deterministic pseudo-random logits with the given scale.</summary>
    public static float[][] Random(int rows, int classes, float scale, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows)
            .Select(_ => Enumerable.Range(0, classes).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray())
            .ToArray();
    }

    /// <summary>Writes logits as little-endian float32, rows then classes, with a [rows, classes] int32 header.</summary>
    public static void WriteBinary(string path, IReadOnlyList<float[]> logits)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(logits.Count);
        writer.Write(logits[0].Length);
        foreach (var row in logits)
        {
            foreach (float value in row)
            {
                writer.Write(value);
            }
        }
    }

    public static float[][] ReadBinary(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        int rows = reader.ReadInt32(), classes = reader.ReadInt32();
        return Enumerable.Range(0, rows)
            .Select(_ => Enumerable.Range(0, classes).Select(_ => reader.ReadSingle()).ToArray())
            .ToArray();
    }
}
