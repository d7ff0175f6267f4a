using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// The form in which a head is saved and served row by row: only ML.NET's own loadable transformers, so that
/// <c>ml.Model.Load</c> rebuilds it in any process with no registration (docs/ARCHITECTURE.md section 3):
/// OnnxTransformer over the head's bytes, a custom mapping from the one-slot output to a scalar, a copy to
/// the head's output column, and a drop of the two intermediate columns.
/// </summary>
internal static class SavableHeadForm
{
    /// <summary>
    /// Builds the saved form over a schema holding only the head's input column: none of the four transformers
    /// depends on other columns, so a head needs no copy of the schema it was fitted on.
    /// </summary>
    public static TransformerChain<ITransformer> Build(MLContext context, OodHeadModel model, OodHeadExecution execution)
    {
        var info = model.Info;
        IDataView data = new EmptyDataView(InputOnlySchema(info));
        var onnx = ApplyOnnx(context, model, data, execution);
        data = onnx.Transform(data);

        ITransformer toScalar;
        string scalarColumn;
        if (info.OutputKind == OodHeadOutputKind.Score)
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
        var drop = context.Transforms.DropColumns(model.GraphOutputName, scalarColumn).Fit(data);
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
    /// ML.NET's own fallback catches only OnnxRuntimeException, but the CPU-only runtime has no CUDA entry point
    /// at all (EntryPointNotFoundException); honour fallbackToCpu for that case too.
    /// </summary>
    private static ITransformer ApplyOnnx(MLContext context, OodHeadModel model, IDataView data, OodHeadExecution execution)
    {
        try
        {
            return Apply(execution.GpuDeviceId);
        }
        catch (Exception e) when (execution.GpuDeviceId is int device && Execution.HeadSession.IsGpuUnavailable(e))
        {
            if (!execution.FallbackToCpu)
                throw Execution.HeadSession.GpuUnavailable(device, e);
            return Apply(null);
        }

        ITransformer Apply(int? gpuDeviceId)
        {
            using var bytes = new MemoryStream(model.Source.ToArray(), writable: false);
            return context.Transforms
                .ApplyOnnxModel(model.GraphOutputName, model.Info.InputColumnName, bytes, gpuDeviceId, execution.FallbackToCpu)
                .Fit(data);
        }
    }

    /// <summary>
    /// Recognises the saved form of a head inside a loaded model and returns the head's ONNX model: the real one
    /// set aside in <paramref name="stubs"/> when the loaded model is a stub, else the loaded one. OnnxTransformer
    /// does not expose its model, so the bytes are read back from its own saved form.
    /// </summary>
    public static OodHeadModel? TryRecognise(MLContext context, ITransformer transformer, HeadStubs? stubs)
    {
        if (transformer is not TransformerChain<ITransformer> chain)
            return null;
        var parts = chain.ToArray();
        if (parts.Length != 4 || parts[0] is not Microsoft.ML.Transforms.Onnx.OnnxTransformer onnx)
            return null;
        if (parts[1] is not Microsoft.ML.Transforms.CustomMappingTransformer<OneSlotScore, ScalarScore>
            and not Microsoft.ML.Transforms.CustomMappingTransformer<OneSlotDecision, ScalarDecision>)
            return null;
        var source = OnnxModelSource.FromBytes(OnnxModelBytes.Extract(context, onnx));
        var metadata = OodHeadModel.ReadMetadata(source);
        if (stubs?.TakeRealModel(metadata) is OodHeadModel real)
            return real;
        return OodHeadInfo.FromMetadata(metadata) is OodHeadInfo info ? new OodHeadModel(source, info) : null;
    }
}
