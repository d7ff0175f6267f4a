using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Tests;

/// <summary>A score column read back through a PredictionEngine; the column name is set per head.</summary>
internal sealed class ScoreOutput
{
    public float Score { get; set; }
}

/// <summary>
/// What every head's tests check, in the spirit of ML.NET's TestEstimatorCore: scores through the batched
/// path, through a PredictionEngine, and after a save/load round trip.
/// </summary>
internal static class HeadHarness
{
    public static float[] Batched(ITransformer model, IDataView data, string column)
        => model.Transform(data).GetColumn<float>(column).ToArray();

    /// <summary>Scores row by row through ML.NET's PredictionEngine (GetRowToRowMapper).</summary>
    public static float[] PerRow(MLContext ml, ITransformer model, IDataView data, IReadOnlyList<float[]> logits, string column)
    {
        var inputDefinition = SchemaDefinition.Create(typeof(LogitsRow));
        inputDefinition[nameof(LogitsRow.Logits)].ColumnType = data.Schema[nameof(LogitsRow.Logits)].Type;
        inputDefinition[nameof(LogitsRow.Extra)].ColumnType = data.Schema[nameof(LogitsRow.Extra)].Type;
        var outputDefinition = SchemaDefinition.Create(typeof(ScoreOutput));
        outputDefinition[0].ColumnName = column;
        using var engine = ml.Model.CreatePredictionEngine<LogitsRow, ScoreOutput>(model, inputSchemaDefinition: inputDefinition, outputSchemaDefinition: outputDefinition);
        return logits.Select((z, i) => engine.Predict(new LogitsRow { Logits = z, Id = i, Extra = [0, 0, 0] }).Score).ToArray();
    }

    /// <summary>Saves with <c>ml.Model.Save</c> and loads with plain <c>ml.Model.Load</c> (no MlOod call).</summary>
    public static ITransformer SaveAndLoad(MLContext ml, ITransformer model, DataViewSchema schema, string zipPath)
    {
        ml.Model.Save(model, schema, zipPath);
        return ml.Model.Load(zipPath, out _);
    }

    public static void AssertAllClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double tolerance, string because)
    {
        if (expected.Count != actual.Count)
        {
            throw new Microsoft.VisualStudio.TestTools.UnitTesting.AssertFailedException($"{because}: {expected.Count} rows expected, got {actual.Count}.");
        }

        for (int i = 0; i < expected.Count; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
            {
                throw new Microsoft.VisualStudio.TestTools.UnitTesting.AssertFailedException(
                    $"{because}: row {i}: expected {expected[i]:R}, got {actual[i]:R}.");
            }
        }
    }
}
