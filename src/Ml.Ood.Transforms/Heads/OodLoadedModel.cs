using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood;

/// <summary>
/// What <c>ml.Ood().Load</c> returns for a pipeline (a single head comes back as an <see cref="OodHeadTransformer"/>):
/// the loaded model, shared safely between PredictionEngines in every pattern.
/// </summary>
/// <remarks>
/// ML.NET's PredictionEngine disposes the model it was created from (dotnet/machinelearning#5945), which would free an
/// ONNX encoder's session under every other engine; and ML.NET's TransformerChain disposes its parts only the first
/// time it is disposed, so it cannot count. Here each row-to-row mapper (one per engine) takes a reference, each
/// <see cref="Dispose"/> gives one back (to this model and, in step, to each of its heads), and ML.NET's transformers are
/// disposed with the last reference, along with the private folder that holds their temporary files. Values are read
/// under a guard: an engine over a model disposed more often than it was shared throws
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class OodLoadedModel : ITransformer, IDisposable
{
    private readonly ITransformer _model;
    private readonly IDisposable[] _heads;
    private readonly IDisposable[] _others;
    private readonly PrivateFolder? _folder;
    private readonly SharedLifetime _lifetime;

    private OodLoadedModel(ITransformer model, IDisposable[] heads, IDisposable[] others, PrivateFolder? folder)
    {
        _model = model;
        _heads = heads;
        _others = others;
        _folder = folder;
        _lifetime = new SharedLifetime(OodErrors.LoadedModelSubject, Free);
    }

    /// <summary>
    /// The loaded model itself (a <see cref="TransformerChain{TLastTransformer}"/> whose MlOod heads are batched). Use it
    /// to inspect the pipeline; create PredictionEngines over this <see cref="OodLoadedModel"/>, not over it.
    /// </summary>
    public ITransformer Model => _model;

    /// <summary>
    /// Returns a single head as it is (it shares itself safely) and deletes <paramref name="folder"/> when nothing in the
    /// model needs it; wraps anything else in an <see cref="OodLoadedModel"/> that owns the folder.
    /// </summary>
    internal static ITransformer Wrap(ITransformer model, PrivateFolder folder)
    {
        var heads = new List<IDisposable>();
        var others = new List<IDisposable>();
        Collect(model, heads, others);
        if (others.Count == 0)
        {
            folder.TryDelete();
        }

        if (model is OodHeadTransformer)
        {
            return model;
        }

        return new OodLoadedModel(model, [.. heads], [.. others], others.Count == 0 ? null : folder);
    }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => _model.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _model.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        _lifetime.ThrowIfDisposed();
        return _model.Transform(input);
    }

    /// <inheritdoc/>
    /// <remarks>The mapper holds a reference to the model until the model is disposed once more.</remarks>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        _lifetime.Acquire();
        try
        {
            return new GuardedRowMapper(_model.GetRowToRowMapper(inputSchema), _lifetime);
        }
        catch
        {
            _lifetime.Release();
            throw;
        }
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        _lifetime.Enter();
        try
        {
            ((ICanSaveModel)_model).Save(ctx);
        }
        finally
        {
            _lifetime.Exit();
        }
    }

    /// <summary>
    /// Gives back one reference: the owner's, or the one a PredictionEngine's mapper took. The last one disposes the
    /// model's transformers and deletes its temporary files.
    /// </summary>
    public void Dispose()
    {
        if (_lifetime.IsDisposed)
        {
            return;
        }
        // The inner model's mappers took a reference to each head and encoder too: give those back in step.
        foreach (var head in _heads)
        {
            head.Dispose();
        }

        _lifetime.Release();
    }

    private void Free()
    {
        foreach (var other in _others)
        {
            other.Dispose();
        }

        _folder?.TryDelete();
    }

    /// <summary>Heads and batched encoders count their own users, so they are disposed in step; the rest with the last reference.</summary>
    private static void Collect(ITransformer transformer, List<IDisposable> heads, List<IDisposable> others)
    {
        switch (transformer)
        {
            case OodHeadTransformer or OodOnnxEncoderTransformer:
                heads.Add((IDisposable)transformer);
                break;
            case TransformerChain<ITransformer> chain:
                foreach (var part in chain)
                {
                    Collect(part, heads, others);
                }

                break;
            case IDisposable disposable:
                others.Add(disposable);
                break;
        }
    }
}
