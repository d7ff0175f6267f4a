using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// How a head over ONNX's 2 GB limit (a KNN bank of 1M x 512 floats or more) is saved: its ONNX model cannot be one
/// message, nor one OnnxTransformer (whose entry holds a 32-bit length and a byte[]), so the saved form holds a stub of
/// the head's signature under <see cref="LargeHeadMappingFactory"/>, and the head's own model (<see cref="ModelEntryName"/>,
/// small, its bank external) and bank (<see cref="BankEntryName"/>, streamed) are two entries beside it. Only
/// <c>ml.Ood().Load</c> reads them (<see cref="LargeHeadParts"/>); a plain <c>ml.Model.Load</c> is refused.
/// </summary>
/// <remarks>
/// ML.NET has no public way for a transformer to write an entry of its own (ModelSaveContext's members are internal): this
/// file calls ModelSaveContext.SaveBinaryStream by reflection, the one place MlOod reaches into ML.NET, checked by the tests
/// on the pinned ML.NET version and refused with <see cref="OodErrors.LargeHeadSaveUnsupported"/> before anything is
/// written if it is gone.
/// </remarks>
internal static class LargeHeadEntry
{
    /// <summary>The head's model entry, beside the saved form's TransformerChain.</summary>
    internal const string ModelEntryName = "MlOodLargeHead.onnx";

    /// <summary>The head's bank entry, the external data its model refers to.</summary>
    internal const string BankEntryName = "MlOodLargeHead.onnx.data";

    /// <summary>Metadata of the saved stub: the name of the model entry it stands for.</summary>
    internal const string SavedStubKey = "mlood.large_head";

    /// <summary>Metadata of the head's model: its bank's SHA-256, covered by the model's content hash.</summary>
    internal const string BankHashKey = "mlood.bank_sha256";

    /// <summary>Metadata of the head's model: its bank's size in bytes.</summary>
    internal const string BankLengthKey = "mlood.bank_bytes";

    private const string SaveMethodName = "SaveBinaryStream";

    /// <summary>Records the bank's hash and size in the model, before the model's own content hash is sealed.</summary>
    public static void Describe(OnnxGraphBuilder builder, ExternalBank bank)
    {
        builder.SetMetadata(BankHashKey, bank.Sha256);
        builder.SetMetadata(BankLengthKey, bank.Length.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Whether a .zip entry's name is one of a large head's two parts.</summary>
    public static bool IsPart(string entryName) => entryName is ModelEntryName or BankEntryName;

    /// <summary>Saves the stub's form, then the model and the bank as entries of <paramref name="ctx"/>'s folder.</summary>
    public static void Save(MLContext context, OodHeadModel model, ModelSaveContext ctx)
    {
        var save = SaveMethod();
        var files = model.Source.External!;
        using (var folder = PrivateFolder.Create())
        {
            string path = folder.PathOf("stub.onnx");
            File.WriteAllBytes(path, HeadStubs.BuildStub(model.Info, ModelEntryName, SavedStubKey));
            SavableHeadForm.SaveForm(SavableHeadForm.Build(context, model.Info, path, testTime: false, large: true), ctx);
        }

        Save(save, ctx, ModelEntryName, output =>
        {
            using var structure = files.OpenModelFile();
            structure.CopyTo(output);
        });
        Save(save, ctx, BankEntryName, files.CopyDataTo);
    }

    private static void Save(MethodInfo save, ModelSaveContext ctx, string name, Action<Stream> write)
    {
        Action<BinaryWriter> action = writer =>
        {
            writer.Flush();
            write(writer.BaseStream);
        };
        try
        {
            save.Invoke(ctx, [name, action]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static MethodInfo SaveMethod()
        => typeof(ModelSaveContext).GetMethod(SaveMethodName, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public,
               [typeof(string), typeof(Action<BinaryWriter>)])
           ?? throw new InvalidOperationException(OodErrors.Format(OodErrors.LargeHeadSaveUnsupported, SaveMethodName));
}
