using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Robustness;

/// <summary>One input row: the raw features an ONNX "encoder" turns into embeddings and logits.</summary>
internal sealed class RawRow
{
    [VectorType(RobustnessModel.Dimensions)]
    public float[] Raw { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>Every column the model writes, read back through a PredictionEngine.</summary>
internal sealed class Prediction
{
    public float Energy { get; set; }

    public float Msp { get; set; }

    public float MaxLogit { get; set; }

    public float Knn { get; set; }

    public float Mahalanobis { get; set; }

    public float Mcm { get; set; }

    public float NegLabel { get; set; }

    public bool IsOod { get; set; }

    /// <summary>The scores as raw bits and the decision, for bitwise comparison.</summary>
    public int[] Bits() =>
        [BitConverter.SingleToInt32Bits(Energy), BitConverter.SingleToInt32Bits(Msp), BitConverter.SingleToInt32Bits(MaxLogit),
         BitConverter.SingleToInt32Bits(Knn), BitConverter.SingleToInt32Bits(Mahalanobis), BitConverter.SingleToInt32Bits(Mcm),
         BitConverter.SingleToInt32Bits(NegLabel), IsOod ? 1 : 0];
}

/// <summary>
/// A model with an ML.NET OnnxTransformer (a small "encoder") and every kind of MlOod head after it: energy, MSP,
/// MaxLogit, KNN, Mahalanobis, MCM, NegLabel and the threshold decision. Classes k = 0, 1, 2 are Gaussians centred at 4
/// on axis k of 8; out-of-distribution rows are shifted by 6 on every axis.
/// </summary>
internal static class RobustnessModel
{
    public const int Dimensions = 8;

    public static readonly string[] ScoreColumns = ["Energy", "Msp", "MaxLogit", "Knn", "Mahalanobis", "Mcm", "NegLabel"];

    public const string DecisionColumn = "IsOod";

    /// <summary>Fits the model and saves it as <paramref name="zipPath"/>; the encoder's .onnx goes beside it.</summary>
    public static void Save(string zipPath)
    {
        var ml = new MLContext(seed: 1);
        string encoder = Path.ChangeExtension(zipPath, ".encoder.onnx");
        File.WriteAllBytes(encoder, Encoder());
        var classText = new[] { Axis(0), Axis(1), Axis(2) };
        var negativeText = Enumerable.Range(3, 5).Select(Axis).Concat([Axis(3).Zip(Axis(4), (a, b) => a + b).ToArray()]).ToArray();
        var train = Load(ml, Rows(600, seed: 1, shift: 0));
        var heads = ml.Transforms.ApplyOnnxModel(["Features", "Logits"], ["Raw"], encoder)
            .Append(ml.Ood().Energy("Energy", "Logits"))
            .Append(ml.Ood().MaxSoftmaxProbability("Msp", "Logits"))
            .Append(ml.Ood().MaxLogit("MaxLogit", "Logits"))
            .Append(ml.Ood().Knn("Knn", "Features", k: 10))
            .Append(ml.Ood().Mahalanobis("Mahalanobis", "Features", "Label"))
            .Append(ml.Ood().MaximumConceptMatching("Mcm", "Features", classText, temperature: 0.1f))
            .Append(ml.Ood().NegativeLabels("NegLabel", "Features", classText, negativeText, groups: 2))
            .Fit(train);
        var decision = ml.Ood().Threshold(DecisionColumn, "Knn").Fit(heads.Transform(Load(ml, Rows(300, seed: 2, shift: 0))));
        var model = heads.Append(decision);
        ml.Model.Save(model, train.Schema, zipPath);
        (model as IDisposable)?.Dispose();
    }

    /// <summary>The rows every check scores: ID, OOD, and rows no head can score (NaN, infinity) or that test its arithmetic.</summary>
    public static List<RawRow> TestRows()
    {
        var rows = Rows(60, seed: 3, shift: 0).Concat(Rows(60, seed: 4, shift: 6)).ToList();
        rows.Add(new RawRow { Raw = Fill(float.NaN) });
        rows.Add(new RawRow { Raw = [1, 2, float.PositiveInfinity, 0, 0, 0, 0, 0] });
        rows.Add(new RawRow { Raw = Fill(0) });
        rows.Add(new RawRow { Raw = Fill(1e-30f) });
        rows.Add(new RawRow { Raw = Fill(1e30f) });
        return rows;
    }

    public static IDataView Load(MLContext ml, IEnumerable<RawRow> rows) => ml.Data.LoadFromEnumerable(rows);

    /// <summary>Every score column's raw bits and the decision, row by row, through the batched path.</summary>
    public static int[][] ScoreBatched(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        var columns = ScoreColumns.Select(c => scored.GetColumn<float>(c).Select(BitConverter.SingleToInt32Bits).ToArray())
            .Append(scored.GetColumn<bool>(DecisionColumn).Select(d => d ? 1 : 0).ToArray())
            .ToArray();
        return Enumerable.Range(0, columns[0].Length).Select(r => columns.Select(c => c[r]).ToArray()).ToArray();
    }

    public static List<RawRow> Rows(int count, int seed, float shift)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            int label = i % 3;
            var raw = new float[Dimensions];
            for (int d = 0; d < Dimensions; d++)
                raw[d] = (d == label ? 4f : 0f) + shift + (float)(random.NextDouble() * 2 - 1);
            return new RawRow { Raw = raw, Label = label };
        }).ToList();
    }

    /// <summary>Features = Raw W (a fixed mix of the axes), Logits = Features C (one column per class centre).</summary>
    private static byte[] Encoder()
    {
        var g = new OnnxGraphBuilder("encoder");
        g.AddInput("Raw", TensorProto.Types.DataType.Float, Dimensions);
        var mix = new float[Dimensions * Dimensions];
        for (int i = 0; i < Dimensions; i++)
        {
            for (int j = 0; j < Dimensions; j++)
                mix[i * Dimensions + j] = i == j ? 1f : 0.05f * ((i + 2 * j) % 3 - 1);
        }
        var centres = new float[Dimensions * 3];
        for (int k = 0; k < 3; k++)
            centres[k * 3 + k] = 1f;
        string features = g.AddNode("MatMul", ["Raw", g.AddInitializer("mix", mix, Dimensions, Dimensions)], "Features");
        g.AddNode("MatMul", [features, g.AddInitializer("centres", centres, Dimensions, 3)], "Logits");
        g.AddOutput("Features", TensorProto.Types.DataType.Float, Dimensions);
        g.AddOutput("Logits", TensorProto.Types.DataType.Float, 3);
        return g.ToBytes();
    }

    private static float[] Axis(int axis)
    {
        var vector = new float[Dimensions];
        vector[axis] = 1;
        return vector;
    }

    private static float[] Fill(float value) => Enumerable.Repeat(value, Dimensions).ToArray();
}
