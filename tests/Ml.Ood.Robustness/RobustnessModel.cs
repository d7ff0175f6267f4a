using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;
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

/// <summary>
/// A model with an ML.NET OnnxTransformer (a small "encoder") and every head of <see cref="HeadCatalogue"/> after it:
/// the heads that read the encoder's columns fitted on ID rows, those that read their scores (the threshold) on other ID
/// rows. Classes k = 0, 1, 2 are Gaussians centred at 4 on axis k of 8; out-of-distribution rows are shifted by 6 on
/// every axis.
/// </summary>
internal static class RobustnessModel
{
    public const int Dimensions = HeadCatalogue.Dimensions;

    /// <summary>Where the catalogued heads find their inputs: the encoder's outputs and the label.</summary>
    public static readonly PipelineColumns Columns = new(Logits: "Logits", Features: "Features", Label: "Label");

    /// <summary>Fits the model and saves it as <paramref name="zipPath"/>; the encoder's .onnx goes beside it.</summary>
    public static void Save(string zipPath)
    {
        var ml = new MLContext(seed: 1);
        string encoder = Path.ChangeExtension(zipPath, ".encoder.onnx");
        File.WriteAllBytes(encoder, Encoder());
        var train = Load(ml, Rows(600, seed: 1, shift: 0));
        var heads = new EstimatorChain<ITransformer>()
            .Append<ITransformer>(ml.Transforms.ApplyOnnxModel(["Features", "Logits"], ["Raw"], encoder))
            .AppendHeads(ml, Columns, readsAScore: false)
            .Fit(train);
        var model = heads;
        if (HeadCatalogue.All.Any(h => h.ReadsAScore))
        {
            var decisions = new EstimatorChain<ITransformer>().AppendHeads(ml, Columns, readsAScore: true)
                .Fit(heads.Transform(Load(ml, Rows(300, seed: 2, shift: 0))));
            foreach (var decision in decisions)
            {
                model = model.Append(decision);
            }
        }
        ml.Model.Save(model, train.Schema, zipPath);
        (model as IDisposable)?.Dispose();
    }

    /// <summary>A PredictionEngine that reads every catalogued head's column.</summary>
    public static PredictionEngine<RawRow, CatalogueRow> Engine(MLContext ml, ITransformer model, bool ownsTransformer = true)
        => ml.Model.CreatePredictionEngine<RawRow, CatalogueRow>(model, CatalogueRow.Options(ownsTransformer));

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

    /// <summary>Every catalogued head's bits (a decision as the bits of 1 or 0), row by row, through the batched path.</summary>
    public static int[][] ScoreBatched(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        var columns = HeadCatalogue.All.Select(h => h.IsDecision
                ? scored.GetColumn<bool>(h.Column).Select(d => BitConverter.SingleToInt32Bits(d ? 1f : 0f)).ToArray()
                : scored.GetColumn<float>(h.Column).Select(BitConverter.SingleToInt32Bits).ToArray())
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
            {
                raw[d] = (d == label ? 4f : 0f) + shift + (float)(random.NextDouble() * 2 - 1);
            }

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
            {
                mix[i * Dimensions + j] = i == j ? 1f : 0.05f * ((i + 2 * j) % 3 - 1);
            }
        }
        var centres = new float[Dimensions * 3];
        for (int k = 0; k < 3; k++)
        {
            centres[k * 3 + k] = 1f;
        }

        string features = g.AddNode("MatMul", ["Raw", g.AddInitializer("mix", mix, Dimensions, Dimensions)], "Features");
        g.AddNode("MatMul", [features, g.AddInitializer("centres", centres, Dimensions, 3)], "Logits");
        g.AddOutput("Features", TensorProto.Types.DataType.Float, Dimensions);
        g.AddOutput("Logits", TensorProto.Types.DataType.Float, 3);
        return g.ToBytes();
    }

    private static float[] Fill(float value) => Enumerable.Repeat(value, Dimensions).ToArray();
}
