using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood.Transforms;

/// <summary>Walks a loaded model and swaps each head's saved form for a batched head.</summary>
internal static class HeadRestorer
{
    /// <param name="context">The context whose GPU settings the heads use.</param>
    /// <param name="model">The loaded model.</param>
    /// <param name="execution">How the restored heads run.</param>
    /// <param name="ownsModel">
    /// True when the caller will not use <paramref name="model"/> again (it was just loaded): each head's saved form
    /// is then disposed, releasing its ONNX Runtime session, and rebuilt only if the head is saved or served per row.
    /// </param>
    /// <param name="stubs">The real models of the heads that were stubbed while the model loaded, if any.</param>
    public static ITransformer Restore(MLContext context, ITransformer model, OodHeadExecution execution, bool ownsModel,
        HeadStubs? stubs = null)
    {
        if (model is not TransformerChain<ITransformer> chain)
            return model;
        if (SavableHeadForm.TryRecognise(context, chain, stubs) is OodHeadModel head)
        {
            if (!ownsModel)
                return new OodHeadTransformer(context, head, execution, savableForm: chain);
            foreach (var part in chain.OfType<IDisposable>())
                part.Dispose();
            var batched = new OodHeadTransformer(context, head, execution);
            // A head in external-data files gets its session now, so that its files are unlinked right after loading.
            if (head.Source.External is not null)
            {
                try
                {
                    batched.Session();
                }
                catch
                {
                    batched.Dispose();
                    throw;
                }
            }
            return batched;
        }

        var parts = chain.ToArray();
        var restored = parts.Select(part => Restore(context, part, execution, ownsModel, stubs)).ToArray();
        return restored.SequenceEqual(parts) ? chain : new TransformerChain<ITransformer>(restored);
    }
}
