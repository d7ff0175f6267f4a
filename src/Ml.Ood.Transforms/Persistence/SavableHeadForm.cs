using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// The form in which a head is saved: only ML.NET's own loadable transformers, so that <c>ml.Model.Load</c> rebuilds
/// it in any process with no registration (docs/ARCHITECTURE.md section 3): OnnxTransformer over the head's bytes, a
/// custom mapping from the one-slot output to a scalar, a copy to the head's output column, and a drop of the two
/// intermediate columns.
/// </summary>
internal static class SavableHeadForm
{
    private const string ModelFileName = "head.onnx";

    /// <summary>
    /// Saves a head in its savable form. ML.NET's OnnxTransformer is given the head as a file in a private folder, never
    /// as a stream (which it would copy to a world-readable temporary file and never delete); the transformer is
    /// disposed and the folder deleted as soon as the head is saved. The saved form holds no GPU setting: the CPU
    /// serves it here, and the loading context's settings apply after loading.
    /// </summary>
    /// <param name="context">The context ML.NET's transformers are built in.</param>
    /// <param name="model">The head.</param>
    /// <param name="ctx">Where ML.NET saves.</param>
    /// <param name="testTime">A test-time head: its mapping is <see cref="TestTimeHeadMappingFactory"/>, which refuses to score.</param>
    public static void Save(MLContext context, OodHeadModel model, ModelSaveContext ctx, bool testTime = false)
    {
        if (model.Source.External is { IsLarge: true })
        {
            LargeHeadEntry.Save(context, model, ctx);
            return;
        }

        using var folder = PrivateFolder.Create();
        string path = folder.PathOf(ModelFileName);
        using (var file = File.Create(path))
        {
            model.Source.WriteTo(file);
        }

        SaveForm(Build(context, model.Info, path, testTime), ctx);
    }

    /// <summary>Saves a form built by <see cref="Build"/> and disposes its transformers.</summary>
    internal static void SaveForm(TransformerChain<ITransformer> form, ModelSaveContext ctx)
    {
        try
        {
            ((ICanSaveModel)form).Save(ctx);
        }
        finally
        {
            foreach (var part in form.OfType<IDisposable>())
            {
                part.Dispose();
            }
        }
    }

    /// <summary>
    /// Builds the saved form over a schema holding only the head's input column: none of the four transformers
    /// depends on other columns, so a head needs no copy of the schema it was fitted on.
    /// </summary>
    /// <param name="context">The context ML.NET's transformers are built in.</param>
    /// <param name="info">The head.</param>
    /// <param name="modelPath">The ONNX model the OnnxTransformer holds.</param>
    /// <param name="testTime">A test-time head: the mapping refuses to score (<see cref="TestTimeHeadMappingFactory"/>).</param>
    /// <param name="large">A large head's saved stub: the mapping refuses to load outside ml.Ood().Load (<see cref="LargeHeadMappingFactory"/>).</param>
    /// <param name="sharded">A sharded head's saved stub: the mapping refuses to load outside ml.Ood().LoadSharded (<see cref="ShardedHeadMappingFactory"/>).</param>
    internal static TransformerChain<ITransformer> Build(MLContext context, OodHeadInfo info, string modelPath, bool testTime, bool large = false,
        bool sharded = false)
    {
        IDataView data = new EmptyDataView(InputOnlySchema(info));
        string graphOutput = OodHeadModel.OutputNameFor(info.OutputKind);
        var onnx = context.Transforms.ApplyOnnxModel(graphOutput, info.InputColumnName, modelPath, gpuDeviceId: null, fallbackToCpu: false).Fit(data);
        data = onnx.Transform(data);

        ITransformer toScalar;
        string scalarColumn;
        if (sharded)
        {
            toScalar = context.Transforms.CustomMapping(ShardedHeadMappingFactory.NotRestored, ShardedHeadMappingFactory.ContractName).Fit(data);
            scalarColumn = ScalarScore.ColumnName;
        }
        else if (large)
        {
            toScalar = context.Transforms.CustomMapping(LargeHeadMappingFactory.NotRestored, LargeHeadMappingFactory.ContractName).Fit(data);
            scalarColumn = ScalarScore.ColumnName;
        }
        else if (testTime)
        {
            toScalar = context.Transforms.CustomMapping(new TestTimeHeadMappingFactory().GetMapping(), TestTimeHeadMappingFactory.ContractName).Fit(data);
            scalarColumn = ScalarScore.ColumnName;
        }
        else if (info.OutputKind == OodHeadOutputKind.Score)
        {
            toScalar = context.Transforms.CustomMapping(new OneSlotScoreToScalarFactory().GetMapping(), OneSlotScoreToScalarFactory.ContractName).Fit(data);
            scalarColumn = ScalarScore.ColumnName;
        }
        else
        {
            toScalar = context.Transforms.CustomMapping(new OneSlotDecisionToScalarFactory().GetMapping(), OneSlotDecisionToScalarFactory.ContractName).Fit(data);
            scalarColumn = ScalarDecision.ColumnName;
        }
        data = toScalar.Transform(data);

        var copy = context.Transforms.CopyColumns(info.OutputColumnName, scalarColumn).Fit(data);
        data = copy.Transform(data);
        var drop = context.Transforms.DropColumns(graphOutput, scalarColumn).Fit(data);
        return new TransformerChain<ITransformer>(onnx, toScalar, copy, drop);
    }

    private static DataViewSchema InputOnlySchema(OodHeadInfo info)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(info.InputColumnName, info.InputIsScalar
            ? NumberDataViewType.Single
            : new VectorDataViewType(NumberDataViewType.Single, info.InputSize));
        return builder.ToSchema();
    }

    /// <summary>
    /// Recognises the saved form of a head inside a loaded model and returns the head's ONNX model: the real one
    /// set aside in <paramref name="stubs"/> when the loaded model is a stub, else the loaded one, whose content hash is
    /// checked. Either way the column names ML.NET saved must be those the head's settings name. OnnxTransformer does not
    /// expose its model, so the bytes are read back from its own saved form.
    /// </summary>
    /// <exception cref="InvalidDataException">The saved form is MlOod's, but the head in it is damaged.</exception>
    public static OodHeadModel? TryRecognise(MLContext context, ITransformer transformer, HeadStubs? stubs, Action<string> unhashed)
    {
        if (transformer is not TransformerChain<ITransformer> chain)
        {
            return null;
        }

        var parts = chain.ToArray();
        if (parts.Length != 4 || parts[0] is not OnnxTransformer onnx)
        {
            return null;
        }

        bool scoreMapping = parts[1] is CustomMappingTransformer<OneSlotScore, ScalarScore>;
        if (!scoreMapping && parts[1] is not CustomMappingTransformer<OneSlotDecision, ScalarDecision>)
        {
            return null;
        }

        var source = OnnxModelSource.FromBytes(OnnxModelBytes.Extract(context, onnx));
        Dictionary<string, string> metadata;
        try
        {
            metadata = OodHeadModel.ReadMetadata(source);
        }
        catch (Exception e) when (e is InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
        {
            // The steps around it are MlOod's saved form of a head: the model inside must be a readable head.
            throw new InvalidDataException(OodErrors.Format(OodErrors.HeadNotReadableOnnx, OodErrors.HeadLoadedByMlNetSubject, e.Message), e);
        }
        OodHeadModel model;
        if (stubs?.TakeRealModel(metadata) is { } real)
        {
            model = real.Model;
        }
        else if (metadata.ContainsKey(LargeHeadEntry.SavedStubKey))
        {
            // A large head's saved stub that ml.Ood().Load did not replace with its real model: it has no bank to score with.
            throw new InvalidDataException(OodErrors.LargeHeadNotRestored);
        }
        else
        {
            // The steps around the model are MlOod's saved form of a head (nothing else uses its custom mappings): the model
            // must be a whole head, however damaged its metadata looks.
            string what = OodErrors.HeadLoadedByMlNetSubject;
            HeadIntegrity.Result hash;
            using (var bytes = source.OpenStructure())
            {
                hash = HeadIntegrity.Check(bytes, bytes.Length, what);
            }

            var info = OodHeadInfo.FromMetadata(metadata, what)
                ?? throw new InvalidDataException(OodErrors.Format(OodErrors.SavedHeadKeyMissing, what, OodHeadInfo.HeadKey));
            if (hash == HeadIntegrity.Result.Missing)
            {
                unhashed($"'{info.OutputColumnName}'");
            }

            model = new OodHeadModel(source, info);
        }
        try
        {
            CheckColumns(chain, onnx, model.Info, scoreMapping);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Cross-checks the head's settings against the columns ML.NET saved for its four transformers.</summary>
    private static void CheckColumns(TransformerChain<ITransformer> chain, OnnxTransformer onnx, OodHeadInfo info, bool scoreMapping)
    {
        string source = OodErrors.Format(OodErrors.SavedHeadSubject, info.OutputColumnName, info.Kind);
        string graphOutput = OodHeadModel.OutputNameFor(info.OutputKind);
        if (scoreMapping != (info.OutputKind == OodHeadOutputKind.Score))
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.SavedHeadWrongMapping, source, scoreMapping ? "score" : "decision"));
        }

        var input = InputOnlySchema(info);
        string[] graphColumns;
        try
        {
            graphColumns = onnx.GetOutputSchema(input).Select(c => c.Name).Where(n => n != info.InputColumnName).ToArray();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.SavedHeadInputMismatch, source, info.InputColumnName, e.Message), e);
        }
        if (!graphColumns.SequenceEqual([graphOutput]))
        {
            throw new InvalidDataException(
                OodErrors.Format(OodErrors.SavedHeadGraphOutputMismatch, source, graphOutput, string.Join(", ", graphColumns)));
        }

        var added = chain.GetOutputSchema(input).Select(c => c.Name).Where(n => n != info.InputColumnName).ToArray();
        if (!added.SequenceEqual([info.OutputColumnName]))
        {
            throw new InvalidDataException(
                OodErrors.Format(OodErrors.SavedHeadOutputMismatch, source, info.OutputColumnName, string.Join(", ", added)));
        }
    }
}
