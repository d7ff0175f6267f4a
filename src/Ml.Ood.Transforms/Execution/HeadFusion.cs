using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Execution;

/// <summary>
/// Transforms a loaded pipeline as its <see cref="TransformerChain{TLastTransformer}"/> would, except that consecutive
/// heads of which none reads another's output become one <see cref="FusedHeadsDataView"/>: one cursor level and one pass
/// over the source for all of them, instead of a level per head. The columns, their order and the scores are the
/// chain's; a PredictionEngine (row to row) is not concerned.
/// </summary>
/// <remarks>
/// Measured on the quick start's model in samples/Service (an encoder, then 16 heads side by side): each head's cursor
/// stacked on the last re-buffered every column the heads above it asked for, and a batch paid a cursor level per head.
/// </remarks>
internal static class HeadFusion
{
    public static IDataView Transform(ITransformer model, IDataView input)
    {
        if (model is not TransformerChain<ITransformer>)
        {
            return model.Transform(input);
        }
        // The chain checks the whole pipeline against the input before it transforms: the same errors, as early.
        model.GetOutputSchema(input.Schema);
        var view = input;
        var group = new List<OodHeadTransformer>();
        foreach (var part in Flatten(model))
        {
            if (part is OodHeadTransformer head)
            {
                if (group.Exists(g => g.Head.OutputColumnName == head.Head.InputColumnName))
                {
                    view = Apply(view, group);
                }

                group.Add(head);
                continue;
            }

            view = part.Transform(Apply(view, group));
        }

        return Apply(view, group);
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer)
        => transformer is TransformerChain<ITransformer> chain ? chain.SelectMany(Flatten) : [transformer];

    /// <summary>The heads gathered so far over <paramref name="view"/>, as one view; empties the group.</summary>
    private static IDataView Apply(IDataView view, List<OodHeadTransformer> group)
    {
        if (group.Count <= 1)
        {
            var result = group.Count == 0 ? view : group[0].Transform(view);
            group.Clear();
            return result;
        }

        var schema = view.Schema;
        foreach (var head in group)
        {
            schema = head.GetOutputSchema(schema);
            head.State.Lifetime.ThrowIfDisposed();
        }

        var fused = new FusedHeadsDataView(view, schema, [.. group.Select(h => h.State)]);
        group.Clear();
        return fused;
    }
}
