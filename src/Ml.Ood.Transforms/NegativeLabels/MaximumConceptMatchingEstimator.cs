using System.Globalization;
using Microsoft.ML;

namespace Ml.Ood.Transforms;

/// <summary>
/// Maximum concept matching, MCM (Ming et al., NeurIPS 2022), negated so that higher means more likely
/// out-of-distribution: -max_i softmax(s / tau)_i, where s_i is the cosine similarity between a row's image
/// embedding and the text embedding of in-distribution class i.
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
/// The image and text embeddings must come from one vision-language model (e.g. CLIP's image and text
/// encoders). The text embeddings are L2-normalised when the estimator is created and stored in the model;
/// the image embedding is normalised inside the head. Create it with <c>ml.Ood().MaximumConceptMatching(...)</c>.
/// A row with a NaN or infinite input value scores NaN, and a Threshold decision flags it out-of-distribution (fail
/// closed); the head counts such rows (<see cref="OodHeadTransformer.NonFiniteRowCount"/>) and reports them on the
/// MLContext's log. A row whose vector is not of the column's declared size is an error naming the row.
/// </remarks>
public sealed class MaximumConceptMatchingEstimator : OodHeadEstimator
{
    private readonly LabelEmbeddings _idLabels;

    internal MaximumConceptMatchingEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName,
        IReadOnlyList<float[]> idLabelEmbeddings, float temperature, int? gpuDeviceId, bool? fallbackToCpu, int? blockSize)
        : base(catalog, outputColumnName, inputColumnName, gpuDeviceId, fallbackToCpu, blockSize)
    {
        NegativeLabelEstimator.CheckTemperature(temperature);
        _idLabels = LabelEmbeddings.Normalise(idLabelEmbeddings, LabelEmbeddings.IdSet, nameof(idLabelEmbeddings));
        Temperature = temperature;
    }

    /// <summary>The softmax temperature tau &gt; 0 (1 in the paper).</summary>
    public float Temperature { get; }

    /// <summary>The number of in-distribution classes.</summary>
    public int IdLabelCount => _idLabels.Count;

    private protected override OodHeadModel BuildModel(IDataView trainingData, int inputSize)
    {
        _idLabels.CheckImageColumn(trainingData.Schema, InputColumnName, inputSize);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["temperature"] = Temperature.ToString("R", CultureInfo.InvariantCulture),
            ["id_labels"] = IdLabelCount.ToString(CultureInfo.InvariantCulture),
        };
        return NegativeLabelGraphs.Mcm(Describe(NegativeLabelGraphs.McmKind, inputSize, parameters), _idLabels, Temperature);
    }
}
