using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Tests;

/// <summary>The columns an end-to-end pipeline gives its heads: a classifier's logits, the embeddings, the class label.</summary>
internal sealed record PipelineColumns(string Logits, string Features, string Label);

/// <summary>
/// One head in <see cref="HeadCatalogue"/>: its name in messages, the column it writes, whether that is a decision,
/// whether it reads another head's score (and is then fitted after the heads that read the pipeline's columns), how
/// to build it, and how to read its settings.
/// </summary>
internal sealed record CataloguedHead(
    string Name,
    string Column,
    bool IsDecision,
    bool ReadsAScore,
    Func<MLContext, PipelineColumns, OodExecutionOptions?, IEstimator<OodHeadTransformer>> Build,
    Func<OodHeadTransformer, OodHeadSettings> Settings)
{
    public override string ToString() => Name;
}

/// <summary>
/// Every head, once, for the end-to-end pipelines (tests/Ml.Ood.EndToEnd.Tests' classifier, tests/Ml.Ood.Robustness'
/// model with an ONNX encoder): each runs through the separate-process load (tests/Ml.Ood.LoadCheck), the robustness
/// checks and <see cref="HeadConformance"/> on a trained classifier's columns. A new head is one line here.
/// </summary>
/// <remarks>
/// The pipelines' embeddings are 8-d, with class k (k = 0, 1, 2) centred on axis k: the class "text embeddings" are those
/// axes, the negative labels the other axes and their mixes.
/// </remarks>
internal static class HeadCatalogue
{
    /// <summary>The width of the embeddings every catalogued pipeline gives its heads.</summary>
    public const int Dimensions = 8;

    /// <summary>Stand-ins for the text embeddings of the three class names: the class centres' directions.</summary>
    public static readonly float[][] ClassTextEmbeddings = [Axis(0), Axis(1), Axis(2)];

    /// <summary>Stand-ins for negative label embeddings: the unused axes and, unnormalised, their pairwise sums.</summary>
    public static readonly float[][] NegativeTextEmbeddings =
        [.. Enumerable.Range(3, 5).Select(Axis), .. Enumerable.Range(3, 4).Select(a => Axis(a).Zip(Axis(a + 1), (x, y) => 2 * (x + y)).ToArray())];

    /// <summary>
    /// A fixed classifier layer on the 8-d embeddings for the feature heads: class k weighs axis k by 2, the other axes by
    /// small deterministic values.
    /// </summary>
    public static readonly OodClassifierLayer ClassifierLayer = OodClassifierLayer.FromArrays(
        [.. Enumerable.Range(0, 3 * Dimensions).Select(i => i / Dimensions == i % Dimensions ? 2f : 0.1f * ((i * 7 % 5) - 2))], [0.1f, 0f, -0.1f], 3, Dimensions);

    public static readonly IReadOnlyList<CataloguedHead> All =
    [
        Score<EnergySettings>("energy", "EnergyScore", (ml, c, o) => ml.Ood().Energy("EnergyScore", c.Logits, execution: o)),
        Score<EnergySettings>("energy(T=2)", "EnergyT2Score", (ml, c, o) => ml.Ood().Energy("EnergyT2Score", c.Logits, temperature: 2f, execution: o)),
        Score<MaxSoftmaxProbabilitySettings>("msp", "MspScore", (ml, c, o) => ml.Ood().MaxSoftmaxProbability("MspScore", c.Logits, execution: o)),
        Score<MaxLogitSettings>("maxlogit", "MaxLogitScore", (ml, c, o) => ml.Ood().MaxLogit("MaxLogitScore", c.Logits, execution: o)),
        Score<GeneralizedEntropySettings>("gen", "GenScore", (ml, c, o) => ml.Ood().GeneralizedEntropy("GenScore", c.Logits, execution: o)),
        Score<KnnSettings>("knn", "KnnScore", (ml, c, o) => ml.Ood().Knn("KnnScore", c.Features, k: 10, execution: o)),
        Score<MahalanobisSettings>("mahalanobis", "MahalanobisScore", (ml, c, o) => ml.Ood().Mahalanobis("MahalanobisScore", c.Features, c.Label, execution: o)),
        Score<MaximumConceptMatchingSettings>("mcm", "McmScore",
            (ml, c, o) => ml.Ood().MaximumConceptMatching("McmScore", c.Features, ClassTextEmbeddings, temperature: 0.1f, execution: o)),
        Score<NegativeLabelSettings>("neglabel", "NegLabelScore",
            (ml, c, o) => ml.Ood().NegativeLabels("NegLabelScore", c.Features, ClassTextEmbeddings, NegativeTextEmbeddings, groups: 3, shuffleSeed: 2, execution: o)),
        Score<TemperatureScalingSettings>("temperature_scaling", "TemperatureScore", (ml, c, o) => ml.Ood().TemperatureScaling("TemperatureScore", c.Logits, 1.5f, execution: o)),
        Score<JointEnergySettings>("joint_energy", "JointEnergyScore", (ml, c, o) => ml.Ood().JointEnergy("JointEnergyScore", c.Logits, execution: o)),
        Score<DeltaEnergySettings>("delta_energy", "DeltaEnergyScore", (ml, c, o) => ml.Ood().DeltaEnergy("DeltaEnergyScore", c.Features, ClassTextEmbeddings, execution: o)),
        Score<AshSettings>("ash", "AshScore", (ml, c, o) => ml.Ood().Ash("AshScore", c.Features, ClassifierLayer, AshMode.S, percentile: 65, execution: o)),
        Score<ScaleSettings>("scale", "ScaleScore", (ml, c, o) => ml.Ood().Scale("ScaleScore", c.Features, ClassifierLayer, execution: o)),
        Score<ReActSettings>("react", "ReActScore", (ml, c, o) => ml.Ood().ReAct("ReActScore", c.Features, ClassifierLayer, execution: o)),
        Score<RelativeMahalanobisSettings>("rmds", "RmdsScore", (ml, c, o) => ml.Ood().Rmds("RmdsScore", c.Features, c.Label, execution: o)),
        Score<FeatureDecisionBoundarySettings>("fdbd", "FdbdScore", (ml, c, o) => ml.Ood().Fdbd("FdbdScore", c.Features, ClassifierLayer, execution: o)),
        Score<VirtualLogitMatchingSettings>("vim", "VimScore", (ml, c, o) => ml.Ood().Vim("VimScore", c.Features, ClassifierLayer, dim: 2, execution: o)),
        Score<NearestNeighborGuidanceSettings>("nnguide", "NnGuideScore",
            (ml, c, o) => ml.Ood().NnGuide("NnGuideScore", c.Features, ClassifierLayer, k: 10, bankFraction: null, execution: o)),
        new("threshold(knn)", "IsOod", IsDecision: true, ReadsAScore: true,
            (ml, c, o) => ml.Ood().Threshold("IsOod", "KnnScore", idTruePositiveRate: 0.95, execution: o), t => t.GetSettings<ThresholdSettings>()),
    ];

    /// <summary>The heads that write scores, in catalogue order.</summary>
    public static IEnumerable<CataloguedHead> Scores => All.Where(h => !h.IsDecision);

    /// <summary>The heads that write decisions, in catalogue order.</summary>
    public static IEnumerable<CataloguedHead> Decisions => All.Where(h => h.IsDecision);

    /// <summary>
    /// <paramref name="pipeline"/> followed by the heads, in one flat chain (as a user writes it, so that the loaders see
    /// every head): first those that read the pipeline's columns, then those that read their scores.
    /// <paramref name="readsAScore"/> picks the heads that read a score (true) or those that do not (false); null takes all.
    /// </summary>
    public static EstimatorChain<ITransformer> AppendHeads<TLast>(this EstimatorChain<TLast> pipeline, MLContext ml, PipelineColumns columns,
        OodExecutionOptions? execution = null, bool? readsAScore = null) where TLast : class, ITransformer
    {
        EstimatorChain<ITransformer>? chain = null;
        foreach (var head in All.Where(h => readsAScore is null || h.ReadsAScore == readsAScore).OrderBy(h => h.ReadsAScore))
        {
            var estimator = head.Build(ml, columns, execution);
            chain = chain is null ? pipeline.Append<ITransformer>(estimator) : chain.Append<ITransformer>(estimator);
        }
        return chain ?? throw new InvalidOperationException("The catalogue has no such heads.");
    }

    private static CataloguedHead Score<TSettings>(string name, string column,
        Func<MLContext, PipelineColumns, OodExecutionOptions?, IEstimator<OodHeadTransformer>> build) where TSettings : OodHeadSettings
        => new(name, column, IsDecision: false, ReadsAScore: false, build, t => t.GetSettings<TSettings>());

    private static float[] Axis(int axis)
    {
        var vector = new float[Dimensions];
        vector[axis] = 1;
        return vector;
    }
}
