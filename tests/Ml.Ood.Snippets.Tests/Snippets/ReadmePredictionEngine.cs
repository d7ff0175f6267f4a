using Microsoft.ML;

namespace ReadmeSnippets;

/// <summary>README.md, "Production safety": a PredictionEngine that leaves the model undisposed.</summary>
internal static class ReadmePredictionEngine
{
    public static void Run(MLContext ml, ITransformer model, Logits row)
    {
        #region readme-prediction-engine
        // Over ml.Model.Load's model, or a fitted pipeline with ML.NET's ONNX steps: an engine that owns the
        // model disposes it, under every other engine (ML.NET's behaviour). ml.Ood().Load's model is immune.
        using var engine = ml.Model.CreatePredictionEngine<Logits, EnergyOutput>(model,
            new PredictionEngineOptions { OwnsTransformer = false });
        float energy = engine.Predict(row).EnergyScore;
        #endregion
        _ = energy;
    }

    /// <summary>The input row the snippet leaves to the reader.</summary>
    internal sealed class Logits
    {
        [Microsoft.ML.Data.VectorType(10)]
        public float[] Scores { get; set; } = [];
    }

    /// <summary>The output row the snippet leaves to the reader.</summary>
    internal sealed class EnergyOutput
    {
        public float EnergyScore { get; set; }
    }
}
