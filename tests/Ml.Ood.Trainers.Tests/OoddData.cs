using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Trainers.Tests;

/// <summary>A training row of OODD's reference: features, class label and the classifier's logits.</summary>
internal sealed class OoddTrainRow
{
    public float[] Features { get; set; } = [];

    public int Label { get; set; }

    public float[] Logits { get; set; } = [];
}

/// <summary>A stream row: features only.</summary>
internal sealed class OoddStreamRow
{
    public float[] Features { get; set; } = [];
}

/// <summary>tests/ReferenceVectors/oodd.json (numpy, FORMULAS.md "Test-time adaptive detectors") as ML.NET views.</summary>
internal sealed class OoddData
{
    private OoddData(JsonElement root)
    {
        TrainFeatures = EmbeddingData.Matrix(root.GetProperty("train_features"));
        TrainLabels = [.. root.GetProperty("train_labels").EnumerateArray().Select(v => v.GetInt32())];
        TrainLogits = EmbeddingData.Matrix(root.GetProperty("train_logits"));
        Stream = EmbeddingData.Matrix(root.GetProperty("stream"));
        Cases = [.. root.GetProperty("cases").EnumerateArray().Select(c => new OoddCase(
            c.GetProperty("alpha").GetDouble(), c.GetProperty("K1").GetInt32(), c.GetProperty("K2").GetInt32(),
            c.GetProperty("capacity").GetInt32(), c.GetProperty("batch").GetInt32(),
            [.. c.GetProperty("score").EnumerateArray().Select(v => v.GetDouble())]))];
    }

    public float[][] TrainFeatures { get; }

    public int[] TrainLabels { get; }

    public float[][] TrainLogits { get; }

    public float[][] Stream { get; }

    public IReadOnlyList<OoddCase> Cases { get; }

    public int Width => Stream[0].Length;

    public static OoddData Load()
    {
        using var json = EmbeddingData.Reference("oodd.json");
        return new OoddData(json.RootElement);
    }

    public IDataView Train(MLContext ml)
    {
        var definition = SchemaDefinition.Create(typeof(OoddTrainRow));
        definition[nameof(OoddTrainRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Width);
        definition[nameof(OoddTrainRow.Logits)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, TrainLogits[0].Length);
        var rows = TrainFeatures.Select((f, i) => new OoddTrainRow { Features = f, Label = TrainLabels[i], Logits = TrainLogits[i] }).ToList();
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    public IDataView StreamView(MLContext ml, IReadOnlyList<float[]>? rows = null) => Rows(ml, rows ?? Stream, Width);

    public static IDataView Rows(MLContext ml, IReadOnlyList<float[]> rows, int width)
    {
        var definition = SchemaDefinition.Create(typeof(OoddStreamRow));
        definition[nameof(OoddStreamRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(rows.Select(f => new OoddStreamRow { Features = f }).ToList(), definition);
    }

    public static OoddOptions Options(OoddCase c, int? blockSize = null) => new()
    {
        FeatureColumnName = "Features",
        LabelColumnName = "Label",
        LogitsColumnName = "Logits",
        Alpha = c.Alpha,
        K1 = c.K1,
        K2 = c.K2,
        Capacity = c.Capacity,
        UpdateBatch = c.Batch,
        Execution = blockSize is int b ? new OodExecutionOptions { BlockSize = b } : null,
    };
}

internal sealed record OoddCase(double Alpha, int K1, int K2, int Capacity, int Batch, double[] Score);
