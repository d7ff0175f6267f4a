using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// What <c>ml.Ood().Load</c> returns when the loaded model holds ML.NET transformers with native state (an ONNX
/// encoder, say) besides MlOod's heads: the model, shared safely between PredictionEngines. ML.NET's PredictionEngine
/// disposes the model it was created from (dotnet/machinelearning#5945), which would free the encoder's session under
/// every other engine. Here each row-to-row mapper (one per engine) takes a reference, each Dispose gives one back
/// (to this model and, in step, to each of its heads), and ML.NET's transformers are disposed with the last reference,
/// along with the private folder that holds their temporary files.
/// </summary>
internal sealed class LoadedModel : ITransformer, IDisposable
{
    private readonly ITransformer _model;
    private readonly OodHeadTransformer[] _heads;
    private readonly IDisposable[] _others;
    private readonly PrivateFolder _folder;
    private readonly SharedLifetime _lifetime;

    private LoadedModel(ITransformer model, OodHeadTransformer[] heads, IDisposable[] others, PrivateFolder folder)
    {
        _model = model;
        _heads = heads;
        _others = others;
        _folder = folder;
        _lifetime = new SharedLifetime("The model loaded with ml.Ood().Load", Free);
    }

    /// <summary>
    /// Returns <paramref name="model"/> itself when every transformer in it that holds native state is an MlOod head
    /// (heads share themselves safely) and <paramref name="folder"/> is deleted; else a <see cref="LoadedModel"/> that
    /// owns the folder.
    /// </summary>
    public static ITransformer Wrap(ITransformer model, PrivateFolder folder)
    {
        var heads = new List<OodHeadTransformer>();
        var others = new List<IDisposable>();
        Collect(model, heads, others);
        if (others.Count == 0)
        {
            folder.TryDelete();
            return model;
        }
        return new LoadedModel(model, [.. heads], [.. others], folder);
    }

    public bool IsRowToRowMapper => _model.IsRowToRowMapper;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _model.GetOutputSchema(inputSchema);

    public IDataView Transform(IDataView input)
    {
        _lifetime.ThrowIfDisposed();
        return _model.Transform(input);
    }

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

    public void Dispose()
    {
        if (_lifetime.IsDisposed)
            return;
        // The inner model's mappers took a reference to each head too: give those back in step.
        foreach (var head in _heads)
            head.Dispose();
        _lifetime.Release();
    }

    private void Free()
    {
        foreach (var other in _others)
            other.Dispose();
        _folder.TryDelete();
    }

    private static void Collect(ITransformer transformer, List<OodHeadTransformer> heads, List<IDisposable> others)
    {
        switch (transformer)
        {
            case OodHeadTransformer head:
                heads.Add(head);
                break;
            case TransformerChain<ITransformer> chain:
                foreach (var part in chain)
                    Collect(part, heads, others);
                break;
            case IDisposable disposable:
                others.Add(disposable);
                break;
        }
    }
}
