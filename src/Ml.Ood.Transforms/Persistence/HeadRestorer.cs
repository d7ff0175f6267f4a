using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Transforms;

/// <summary>Walks a loaded model and swaps each head's saved form for a batched head.</summary>
internal static class HeadRestorer
{
    public static ITransformer Restore(MLContext context, ITransformer model, OodHeadExecution execution)
    {
        if (model is not TransformerChain<ITransformer> chain)
            return model;
        if (SavableHeadForm.TryRecognise(context, chain) is OodHeadModel head)
            return new OodHeadTransformer(context, head, execution, fitSchema: null, savableForm: chain);

        var parts = chain.ToArray();
        var restored = parts.Select(part => Restore(context, part, execution)).ToArray();
        return restored.SequenceEqual(parts) ? chain : new TransformerChain<ITransformer>(restored);
    }
}
