using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// The form in which an encoder is saved: ML.NET's own OnnxTransformer over the encoder's sealed model (the user's
/// model with MlOod's description and content hash in its metadata), so that <c>ml.Model.Load</c> rebuilds ML.NET's
/// ApplyOnnxModel with no registration, and <c>ml.Ood().Load</c> recognises the encoder by its metadata.
/// </summary>
internal static class SavableEncoderForm
{
    private const string ModelFileName = "encoder.onnx";

    /// <summary>
    /// Saves the encoder. OnnxTransformer is given the model as a file in a private folder, never as a stream (which it
    /// would copy to a world-readable temporary file and keep); it is disposed and the folder deleted once saved. The
    /// saved form holds no GPU setting, as a head's does.
    /// </summary>
    public static void Save(MLContext context, OnnxEncoderModel model, ModelSaveContext ctx)
    {
        using var folder = PrivateFolder.Create();
        string path = folder.PathOf(ModelFileName);
        File.WriteAllBytes(path, model.Bytes);
        using var onnx = context.Transforms.ApplyOnnxModel(model.OutputNames, model.InputNames, path, gpuDeviceId: null, fallbackToCpu: false)
            .Fit(new EmptyDataView(InputOnlySchema(model)));
        ((ICanSaveModel)onnx).Save(ctx);
    }

    /// <summary>
    /// The encoder inside an OnnxTransformer that MlOod saved, or <see langword="null"/> for any other transformer (a
    /// user's own ApplyOnnxModel loads as it was). An encoder must be whole: its content hash must match, and the columns
    /// ML.NET saved must be those its description names. OnnxTransformer does not expose its model, so the bytes are read
    /// back from its own saved form.
    /// </summary>
    /// <exception cref="InvalidDataException">The transformer holds an MlOod encoder that is damaged or altered.</exception>
    public static OnnxEncoderModel? TryRecognise(MLContext context, ITransformer transformer)
    {
        if (transformer is not OnnxTransformer onnx)
        {
            return null;
        }

        byte[] bytes = OnnxModelBytes.Extract(context, onnx);
        Dictionary<string, string> metadata;
        try
        {
            metadata = OnnxEncoderModel.ReadMetadata(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or Google.Protobuf.InvalidProtocolBufferException)
        {
            // ML.NET read it, MlOod's reader cannot: not a model MlOod wrote.
            return null;
        }
        if (!metadata.ContainsKey(OnnxEncoderModel.EncoderKey))
        {
            return null;
        }

        string what = OodErrors.Format(OodErrors.EncoderSubject, OnnxEncoderModel.DescribeOutputs(metadata));
        var model = OnnxEncoderModel.FromSealed(bytes, what);
        CheckColumns(onnx, model);
        return model;
    }

    /// <summary>Cross-checks the encoder's description against the columns ML.NET saved for its OnnxTransformer.</summary>
    private static void CheckColumns(OnnxTransformer onnx, OnnxEncoderModel model)
    {
        var input = InputOnlySchema(model);
        string expected = string.Join(", ", [.. model.InputNames, .. model.OutputNames]);
        string[] added;
        try
        {
            added = [.. onnx.GetOutputSchema(input).Skip(input.Count).Select(c => c.Name)];
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.SavedEncoderColumnsMismatch, model.Describe(), expected, e.Message), e);
        }
        if (!added.SequenceEqual(model.OutputNames))
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.SavedEncoderColumnsMismatch, model.Describe(), expected,
                string.Join(", ", [.. model.InputNames, .. added])));
        }
    }

    private static DataViewSchema InputOnlySchema(OnnxEncoderModel model)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var input in model.Inputs)
        {
            builder.AddColumn(input.Name, new VectorDataViewType(NumberDataViewType.Single, input.RowSize));
        }

        return builder.ToSchema();
    }
}
