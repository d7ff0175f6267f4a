using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>Walks a loaded model and swaps each head's saved form for a batched head.</summary>
internal static class HeadRestorer
{
    /// <param name="context">The context whose GPU settings the heads use.</param>
    /// <param name="model">The loaded model.</param>
    /// <param name="execution">How the restored heads run.</param>
    /// <param name="ownsModel">
    /// True when the caller will not use <paramref name="model"/> again (it was just loaded): each head's saved form
    /// is then disposed, releasing its ONNX Runtime session.
    /// </param>
    /// <param name="stubs">The real models of the heads that were stubbed while the model loaded, if any.</param>
    /// <param name="unhashed">Told each head that has no content hash (saved by an older MlOod).</param>
    /// <remarks>
    /// Every head's session is created here, so that a head whose graph ONNX Runtime refuses fails the load, naming the
    /// head, rather than the first cursor with the name of an ONNX node.
    /// </remarks>
    public static ITransformer Restore(MLContext context, ITransformer model, OodHeadExecution execution, bool ownsModel,
        HeadStubs? stubs, Action<string> unhashed)
    {
        if (model is not TransformerChain<ITransformer> chain)
        {
            return RestoreEncoder(context, model, execution, ownsModel);
        }

        if (SavableHeadForm.TryRecognise(context, chain, stubs, unhashed) is OodHeadModel head)
        {
            if (ownsModel)
            {
                foreach (var part in chain.OfType<IDisposable>())
                {
                    part.Dispose();
                }
            }
            if (head.Info.Kind == ShardedHeadMappingFactory.Kind)
            {
                // A sharded head's saved stub: Ml.Ood.Distributed's restorer makes the transformer from its settings.
                using (head)
                {
                    return ShardedHeadMappingFactory.Restore(head);
                }
            }

            if (TestTimeStates.IsTestTimeHead(head.Info.Kind))
            {
                return RestoreTestTime(context, head, execution);
            }

            var batched = new OodHeadTransformer(context, head, execution);
            try
            {
                batched.Session();
            }
            catch (Exception e) when (e is OnnxRuntimeException)
            {
                batched.Dispose();
                throw new InvalidDataException(OodErrors.Format(
                    OodErrors.HeadNotValidOnnx, head.Info.InputColumnName, head.Info.Kind, head.Info.OutputColumnName, e.Message), e);
            }
            catch
            {
                batched.Dispose();
                throw;
            }
            return batched;
        }

        var parts = chain.ToArray();
        var restored = new List<ITransformer>(parts.Length);
        try
        {
            foreach (var part in parts)
            {
                restored.Add(Restore(context, part, execution, ownsModel, stubs, unhashed));
            }
        }
        catch
        {
            // Heads restored before the failure are new objects nobody else holds.
            foreach (var done in restored.Where((r, i) => !ReferenceEquals(r, parts[i])).OfType<IDisposable>())
            {
                done.Dispose();
            }

            throw;
        }
        return restored.SequenceEqual(parts) ? chain : new TransformerChain<ITransformer>([.. restored]);
    }

    /// <summary>
    /// An MlOod encoder saved as ML.NET's OnnxTransformer becomes batched again; any other transformer stays as it is. Its
    /// session is created here, as a head's is.
    /// </summary>
    private static ITransformer RestoreEncoder(MLContext context, ITransformer model, OodHeadExecution execution, bool ownsModel)
    {
        if (SavableEncoderForm.TryRecognise(context, model) is not OnnxEncoderModel encoder)
        {
            return model;
        }

        if (ownsModel)
        {
            (model as IDisposable)?.Dispose();
        }

        var batched = new OodOnnxEncoderTransformer(context, encoder, execution);
        try
        {
            batched.State.Session();
        }
        catch (Exception e) when (e is OnnxRuntimeException or ArgumentException)
        {
            batched.Dispose();
            throw new InvalidDataException(OodErrors.Format(OodErrors.EncoderNotValidOnnx, encoder.Describe(), e.Message), e);
        }
        catch
        {
            batched.Dispose();
            throw;
        }
        return batched;
    }

    /// <summary>A test-time head (its kind says so, whatever mapping it was saved with): its session is created here too.</summary>
    private static OodTestTimeTransformer RestoreTestTime(MLContext context, OodHeadModel head, OodHeadExecution execution)
    {
        var restored = new OodTestTimeTransformer(context, head, execution);
        try
        {
            restored.HeadState.Session();
        }
        catch (Exception e) when (e is OnnxRuntimeException)
        {
            restored.Dispose();
            throw new InvalidDataException(OodErrors.Format(
                OodErrors.HeadNotValidOnnx, head.Info.InputColumnName, head.Info.Kind, head.Info.OutputColumnName, e.Message), e);
        }
        catch
        {
            restored.Dispose();
            throw;
        }
        return restored;
    }
}
