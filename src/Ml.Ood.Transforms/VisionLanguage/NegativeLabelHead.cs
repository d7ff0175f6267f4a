using Microsoft.ML;
using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>The NegLabel head's settings.</summary>
/// <param name="Temperature">The temperature tau &gt; 0 that divides the cosines (0.01 in the paper).</param>
/// <param name="Groups">The number of groups G the negatives are split into (1 = no grouping).</param>
/// <param name="IdLabels">The number of in-distribution classes.</param>
/// <param name="NegativeLabels">The number of negative labels the head uses (those given, less their remainder modulo G).</param>
/// <param name="ShuffleSeed">The seed of the shuffle before grouping, or null for the given order.</param>
[OodHeadKind("neglabel")]
public sealed record NegativeLabelSettings(float Temperature, int Groups, int IdLabels, int NegativeLabels, int? ShuffleSeed) : OodHeadSettings;

/// <summary>
/// NegLabel (Jiang et al., ICLR 2024), negated so that higher means more likely out-of-distribution: an image whose
/// embedding is closer to "negative" words than to the in-distribution class names scores high.
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
/// With s_i the cosines to the K class embeddings and s~_j those to the M negatives, the paper's score is
/// S = sum_i e^{s_i/tau} / (sum_i e^{s_i/tau} + sum_j e^{s~_j/tau}) (eq. 5, tau = 0.01: the authors' code multiplies cosines
/// by 100); the head writes -S. Grouping (section 3.3 and the authors' <c>clip_ood.py</c>): the last M mod G negatives are
/// dropped, the rest split into G equal contiguous groups in the given order (after a seeded Fisher-Yates shuffle when
/// <see cref="ShuffleSeed"/> is set: <c>torch.randperm</c>'s permutation cannot be reproduced in .NET), S is computed with the
/// classes and each group, and the G values are averaged. Each S_g is 1 / (1 + exp(lse~_g - lse)), each log-sum-exp shifted
/// by its own maximum: at tau = 0.01 the logits differ by up to 200, where a common shift would underflow one of the sums.
/// A row with a NaN or infinite value scores NaN. Pick negatives with NegMining (<c>NegativeLabelMiner</c>). Create it with
/// <c>ml.Ood().NegativeLabels(...)</c>.
/// </remarks>
public sealed class NegativeLabelEstimator : OodHeadEstimator<NegativeLabelSettings>
{
    private readonly LabelEmbeddings _idLabels;
    private readonly LabelEmbeddings _grouped;

    internal NegativeLabelEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, IReadOnlyList<float[]> idLabelEmbeddings,
        IReadOnlyList<float[]> negativeLabelEmbeddings, float temperature, int groups, int? shuffleSeed, OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, execution)
    {
        Temperature = Temperatures.Check(temperature);
        _idLabels = LabelEmbeddings.Normalise(idLabelEmbeddings, LabelEmbeddings.IdSet, nameof(idLabelEmbeddings));
        var negatives = LabelEmbeddings.Normalise(negativeLabelEmbeddings, LabelEmbeddings.NegativeSet, nameof(negativeLabelEmbeddings), _idLabels.Width);
        if (groups < 1 || groups > negatives.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), groups, OodErrors.Format(OodErrors.GroupsOutOfRange, groups, negatives.Count));
        }

        _grouped = negatives.Select(LabelEmbeddings.GroupOrder(negatives.Count, groups, shuffleSeed));
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

    private protected override FittedHead<NegativeLabelSettings> FitHead(IDataView trainingData, int inputSize)
    {
        _idLabels.CheckImageColumn(trainingData.Schema, InputColumnName, inputSize);
        var settings = new NegativeLabelSettings(Temperature, Groups, IdLabelCount, UsedNegativeLabelCount, ShuffleSeed);
        return new(settings, Score);
    }

    /// <summary>-mean_g 1 / (1 + exp(lse~_g - lse)): the share of the softmax on the classes, averaged over groups.</summary>
    private string Score(HeadGraph g)
        => g.Node("Neg", VisionLanguageConfidence.NegativeLabels(g, _idLabels, _grouped, Groups, g.UnitRows(g.Input), Temperature));
}
