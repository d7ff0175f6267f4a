using System.Runtime.CompilerServices;
using Microsoft.ML;
using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>
/// A head on penultimate features h and the classifier's last layer (<see cref="OodClassifierLayer"/>, logits = W h + b):
/// the post-hoc family of ReAct, ASH, SCALE, ViM, RMDS, fDBD and NNGuide, which reshape or compare h and score through
/// the logits the shaped h gives. The input column is h (the encoder's embedding, after its ReLU), D wide; the layer is
/// stored in the head's graph, so the logits column is not needed.
/// </summary>
/// <typeparam name="TSettings">The head's settings.</typeparam>
/// <remarks>
/// Fit checks that the column is exactly <see cref="OodClassifierLayer.Features"/> wide (GetOutputSchema cannot: ML.NET's
/// schema shapes carry no vector sizes); a fitted head refuses any other width. A row with a NaN or infinite value scores
/// NaN, and a Threshold decision flags it out-of-distribution.
/// </remarks>
public abstract class FeatureHeadEstimator<TSettings> : OodHeadEstimator<TSettings> where TSettings : OodHeadSettings
{
    // The layer's initializers, written once per graph however often a head asks for logits.
    private static readonly ConditionalWeakTable<HeadGraph, LayerValues> LayerInitializers = [];

    private protected FeatureHeadEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, OodClassifierLayer layer,
        OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, execution)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Layer = layer;
    }

    /// <summary>The classifier's last layer, W ([C, D]) and b ([C]).</summary>
    public OodClassifierLayer Layer { get; }

    private protected sealed override void CheckOtherInputs(DataViewSchema inputSchema)
    {
        int width = HeadSchema.CheckInput(inputSchema, InputColumnName);
        if (width != Layer.Features)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                OodErrors.Format(OodErrors.LayerFeatureWidth, InputColumnName, Layer.Features, width));
        }

        CheckFeatureHeadInputs(inputSchema);
    }

    private protected sealed override void CheckOtherInputs(SchemaShape inputSchema) => CheckFeatureHeadInputs(inputSchema);

    /// <summary>Checks the columns a feature head reads besides its features (a label), before any row is read.</summary>
    private protected virtual void CheckFeatureHeadInputs(DataViewSchema inputSchema)
    {
    }

    /// <summary>The same checks on the estimator's view of the schema, for <see cref="OodHeadEstimator.GetOutputSchema"/>.</summary>
    private protected virtual void CheckFeatureHeadInputs(SchemaShape inputSchema)
    {
    }

    /// <summary>The logits W h + b of <paramref name="features"/> ([batch, D]), [batch, C].</summary>
    private protected string Logits(HeadGraph g, string features)
    {
        var layer = LayerInitializers.GetValue(g, graph => new LayerValues(
            graph.Weights("classifier_weights", Layer.TransposedWeights(), Layer.Features, Layer.Classes),
            graph.Weights("classifier_bias", Layer.Bias.Span, Layer.Classes)));
        return g.Node("Add", g.Node("MatMul", features, layer.Weights), layer.Bias);
    }

    private sealed record LayerValues(string Weights, string Bias);
}
