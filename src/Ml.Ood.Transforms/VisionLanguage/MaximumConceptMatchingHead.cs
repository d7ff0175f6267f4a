using Microsoft.ML;
using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>The MCM head's settings.</summary>
/// <param name="Temperature">The softmax temperature tau &gt; 0 (1 in the paper).</param>
/// <param name="IdLabels">The number of in-distribution classes.</param>
[OodHeadKind("mcm")]
public sealed record MaximumConceptMatchingSettings(float Temperature, int IdLabels) : OodHeadSettings;

/// <summary>
/// Maximum concept matching, MCM (Ming et al., NeurIPS 2022), negated so that higher means more likely
/// out-of-distribution: -max_i softmax(s / tau)_i, where s_i is the cosine similarity between a row's image embedding and
/// the text embedding of in-distribution class i.
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
/// The image and text embeddings must come from one vision-language model (e.g. CLIP's image and text encoders). The
/// text embeddings are L2-normalised when the estimator is created and stored in the model; the image embedding is
/// normalised inside the head. MCM is MSP over scaled cosines. A row with a NaN or infinite value scores NaN, and a
/// Threshold decision flags it out-of-distribution (fail closed). Create it with <c>ml.Ood().MaximumConceptMatching(...)</c>.
/// </remarks>
public sealed class MaximumConceptMatchingEstimator : OodHeadEstimator<MaximumConceptMatchingSettings>
{
    private readonly LabelEmbeddings _idLabels;

    internal MaximumConceptMatchingEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName,
        IReadOnlyList<float[]> idLabelEmbeddings, float temperature, OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, execution)
    {
        Temperature = Temperatures.Check(temperature);
        _idLabels = LabelEmbeddings.Normalise(idLabelEmbeddings, LabelEmbeddings.IdSet, nameof(idLabelEmbeddings));
    }

    /// <summary>The softmax temperature tau &gt; 0 (1 in the paper).</summary>
    public float Temperature { get; }

    /// <summary>The number of in-distribution classes.</summary>
    public int IdLabelCount => _idLabels.Count;

    private protected override FittedHead<MaximumConceptMatchingSettings> FitHead(IDataView trainingData, int inputSize)
    {
        _idLabels.CheckImageColumn(trainingData.Schema, InputColumnName, inputSize);
        return new(new MaximumConceptMatchingSettings(Temperature, IdLabelCount), g =>
            g.NegativeMaxSoftmax(g.Divide(_idLabels.Cosines(g, g.UnitRows(g.Input), "id_labels_t"), Temperature)));
    }
}
