using System.Globalization;
using Microsoft.ML;

namespace Ml.Ood.Transforms;

/// <summary>
/// NegLabel (Jiang et al., ICLR 2024), negated so that higher means more likely out-of-distribution: an image
/// whose embedding is closer to "negative" words than to the in-distribution class names scores high.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No: the class and negative label text embeddings are given |
/// | Input column data type | Known-sized vector of <xref:System.Single> (image embedding, as wide as the text embeddings) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Transforms | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// With s_i the cosine similarities to the K class embeddings and s~_j those to the M negative label embeddings,
/// the paper's score is S = sum_i e^{s_i/tau} / (sum_i e^{s_i/tau} + sum_j e^{s~_j/tau}) (eq. 5, tau = 0.01:
/// the authors' code multiplies cosines by 100); the head writes -S.
/// Grouping (section 3.3 and the authors' <c>clip_ood.py</c>): the last M mod G negatives are dropped, the
/// rest split into G equal contiguous groups in the given order (after a seeded shuffle when
/// <see cref="ShuffleSeed"/> is set), S is computed with the classes and each group, and the G values are
/// averaged. The authors shuffle with <c>torch.randperm</c> (seed 0); a .NET seed cannot reproduce that
/// permutation, so the default keeps the given order, which is what a user who ordered the negatives expects.
/// Text embeddings are L2-normalised when the estimator is created and stored in the model; the image
/// embedding is normalised inside the head. Pick negatives with NegMining (Ml.Ood.Trainers'
/// <c>NegativeLabelMiner</c>). Create it with <c>ml.Ood().NegativeLabels(...)</c>.
/// A row with a NaN or infinite input value scores NaN, and a Threshold decision flags it out-of-distribution (fail
/// closed); the head counts such rows (<see cref="OodHeadTransformer.NonFiniteRowCount"/>) and reports them on the
/// MLContext's log. A row whose vector is not of the column's declared size is an error naming the row.
/// </remarks>
public sealed class NegativeLabelEstimator : OodHeadEstimator
{
    private readonly LabelEmbeddings _idLabels;
    private readonly LabelEmbeddings _grouped;

    internal NegativeLabelEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName,
        IReadOnlyList<float[]> idLabelEmbeddings, IReadOnlyList<float[]> negativeLabelEmbeddings, float temperature, int groups,
        int? shuffleSeed, int? gpuDeviceId, bool? fallbackToCpu, int? blockSize)
        : base(catalog, outputColumnName, inputColumnName, gpuDeviceId, fallbackToCpu, blockSize)
    {
        CheckTemperature(temperature);
        _idLabels = LabelEmbeddings.Normalise(idLabelEmbeddings, LabelEmbeddings.IdSet, nameof(idLabelEmbeddings));
        var negatives = LabelEmbeddings.Normalise(negativeLabelEmbeddings, LabelEmbeddings.NegativeSet, nameof(negativeLabelEmbeddings), _idLabels.Width);
        if (groups < 1 || groups > negatives.Count)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, OodErrors.Format(OodErrors.GroupsOutOfRange, groups, negatives.Count));
        _grouped = negatives.Select(GroupOrder(negatives.Count, groups, shuffleSeed));
        Temperature = temperature;
        Groups = groups;
        ShuffleSeed = shuffleSeed;
        NegativeLabelCount = negatives.Count;
    }

    /// <summary>The temperature tau &gt; 0 that divides the cosines (0.01 in the paper).</summary>
    public float Temperature { get; }

    /// <summary>The number of groups G the negatives are split into (1 = no grouping).</summary>
    public int Groups { get; }

    /// <summary>The seed of the shuffle before grouping, or <see langword="null"/> to keep the given order.</summary>
    public int? ShuffleSeed { get; }

    /// <summary>The number of in-distribution classes.</summary>
    public int IdLabelCount => _idLabels.Count;

    /// <summary>The number of negative labels given.</summary>
    public int NegativeLabelCount { get; }

    /// <summary>The number of negative labels the head uses: <see cref="NegativeLabelCount"/> less its remainder modulo <see cref="Groups"/>.</summary>
    public int UsedNegativeLabelCount => _grouped.Count;

    private protected override OodHeadModel BuildModel(IDataView trainingData, int inputSize)
    {
        _idLabels.CheckImageColumn(trainingData.Schema, InputColumnName, inputSize);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["temperature"] = Temperature.ToString("R", CultureInfo.InvariantCulture),
            ["groups"] = Groups.ToString(CultureInfo.InvariantCulture),
            ["id_labels"] = IdLabelCount.ToString(CultureInfo.InvariantCulture),
            ["negative_labels"] = UsedNegativeLabelCount.ToString(CultureInfo.InvariantCulture),
        };
        if (ShuffleSeed is int seed)
            parameters["shuffle_seed"] = seed.ToString(CultureInfo.InvariantCulture);
        var info = Describe(NegativeLabelGraphs.NegLabelKind, inputSize, parameters);
        return NegativeLabelGraphs.NegLabel(info, _idLabels, _grouped, Groups, Temperature);
    }

    internal static void CheckTemperature(float temperature)
    {
        if (!float.IsFinite(temperature) || temperature <= 0)
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, OodErrors.Format(OodErrors.TemperatureNotPositive, temperature));
    }

    /// <summary>
    /// The negatives the head keeps, in group order: the authors drop the last M mod G and then permute the rest
    /// (clip_ood.py, <c>grouping</c>); the permutation here is a Fisher-Yates shuffle written out (not
    /// <c>Random.Shuffle</c>, whose algorithm is not documented) over <c>new Random(seed)</c>, whose sequence .NET
    /// keeps stable for a given seed, so a saved seed always means the same groups.
    /// </summary>
    internal static int[] GroupOrder(int count, int groups, int? shuffleSeed)
    {
        var order = Enumerable.Range(0, count - count % groups).ToArray();
        if (shuffleSeed is int seed)
        {
            var random = new Random(seed);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return order;
    }
}
