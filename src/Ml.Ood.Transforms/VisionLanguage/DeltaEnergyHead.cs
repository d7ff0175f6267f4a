using Microsoft.ML;
using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>The Delta-Energy head's settings.</summary>
/// <param name="Temperature">tau &gt; 0 that divides the cosines (0.01, CLIP's logit scale, by default).</param>
/// <param name="IdLabels">The number of in-distribution classes.</param>
/// <param name="LoweredCosine">The cosine the largest ones are lowered to (0 by default).</param>
/// <param name="LoweredCount">How many of the largest cosines are lowered (1 by default).</param>
[OodHeadKind("delta_energy")]
public sealed record DeltaEnergySettings(float Temperature, int IdLabels, float LoweredCosine, int LoweredCount) : OodHeadSettings;

/// <summary>
/// Delta-Energy (Zhu et al., NeurIPS 2025, arXiv 2510.11296), negated so that higher means more likely out-of-distribution:
/// with s_i = cos(image, class_i) / tau over the in-distribution class text embeddings, Delta = LSE(s) - LSE(s'), where s'
/// is s with its largest entry (or its <c>loweredCount</c> largest) set to <c>loweredCosine</c> / tau; score = -Delta.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No: the class text embeddings are given |
/// | Input column data type | Known-sized vector of <xref:System.Single> (image embedding, as wide as the text embeddings) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Transforms | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// Delta is the drop in energy when the best-matching class is taken away: large for an image that matches one class
/// (in-distribution), small for one that matches none. <b>The exact form could not be confirmed against the authors' code</b>
/// (github LinLLLL/DeltaEnergy was not reachable): this is the reading of docs/FORMULAS.md, from the paper's abstract and a
/// figure caption (the maximum cosine lowered to 0). The lowered value and the number of lowered entries are therefore
/// options. Both log-sum-exps are taken after subtracting the row's largest s, which cancels exactly in Delta, so that
/// Delta keeps its digits when it is small beside s / tau. The image and text embeddings must come from one
/// vision-language model (e.g. CLIP); the text embeddings are L2-normalised and stored in the model, the image embedding is
/// normalised inside the head. Tied largest cosines are lowered lowest class index first. A row with a NaN or infinite
/// value scores NaN, and a Threshold decision flags it out-of-distribution (fail closed). Create it with
/// <c>ml.Ood().DeltaEnergy(...)</c>.
/// </remarks>
public sealed class DeltaEnergyEstimator : OodHeadEstimator<DeltaEnergySettings>
{
    private readonly LabelEmbeddings _idLabels;

    internal DeltaEnergyEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName,
        IReadOnlyList<float[]> idLabelEmbeddings, float temperature, float loweredCosine, int loweredCount, OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, execution)
    {
        Temperature = Temperatures.Check(temperature);
        _idLabels = LabelEmbeddings.Normalise(idLabelEmbeddings, LabelEmbeddings.IdSet, nameof(idLabelEmbeddings));
        LoweredCosine = float.IsFinite(loweredCosine) && loweredCosine >= -1 && loweredCosine <= 1
            ? loweredCosine
            : throw new ArgumentOutOfRangeException(nameof(loweredCosine), loweredCosine, OodErrors.LoweredCosineOutOfRange);
        LoweredCount = loweredCount >= 1 && loweredCount <= _idLabels.Count
            ? loweredCount
            : throw new ArgumentOutOfRangeException(nameof(loweredCount), loweredCount, OodErrors.Format(OodErrors.LoweredCountOutOfRange, _idLabels.Count));
    }

    /// <summary>tau &gt; 0 that divides the cosines.</summary>
    public float Temperature { get; }

    /// <summary>The cosine the largest ones are lowered to.</summary>
    public float LoweredCosine { get; }

    /// <summary>How many of the largest cosines are lowered.</summary>
    public int LoweredCount { get; }

    /// <summary>The number of in-distribution classes.</summary>
    public int IdLabelCount => _idLabels.Count;

    private protected override FittedHead<DeltaEnergySettings> FitHead(IDataView trainingData, int inputSize)
    {
        _idLabels.CheckImageColumn(trainingData.Schema, InputColumnName, inputSize);
        var settings = new DeltaEnergySettings(Temperature, IdLabelCount, LoweredCosine, LoweredCount);
        return new(settings, g => Score(g, _idLabels.Cosines(g, g.UnitRows(g.Input), "id_labels_t"), settings));
    }

    private static string Score(HeadGraph g, string cosines, DeltaEnergySettings settings)
    {
        // Shifted by the row's maximum m: Delta = LSE(s - m) - LSE(s' - m) exactly, and both terms lie near [0, log C]
        // instead of near max s = 100 cos at tau = 0.01, where float's spacing alone would be 1e-5.
        string s = g.Divide(cosines, settings.Temperature);
        string max = g.Node("ReduceMax", [s, g.Axis(1)], OnnxAttributes.Int("keepdims", 1));
        string shifted = g.Node("Sub", s, max);
        string top = g.TopK(shifted, settings.LoweredCount).Indices;
        string lowered = g.Node("Sub", g.Constant((float)(settings.LoweredCosine / (double)settings.Temperature)), max);
        string updates = g.Node("Expand", lowered, g.Node("Shape", top));
        string loweredRow = g.Node("ScatterElements", [shifted, top, updates], OnnxAttributes.Int("axis", 1));
        return g.Node("Neg", g.Node("Sub", g.LogSumExp(shifted), g.LogSumExp(loweredRow)));
    }
}
