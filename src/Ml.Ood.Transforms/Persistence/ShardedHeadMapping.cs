using System.ComponentModel;
using Microsoft.ML;
using Microsoft.ML.Transforms;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// The custom mapping of a sharded KNN head's saved form (contract <c>MlOod.ShardedKnn</c>; Ml.Ood.Distributed's
/// ShardedKnnTransformer): a stub of the head's signature whose settings hold the shard manifest. Its bank lies in a
/// cluster, so only <c>ml.Ood().LoadSharded(path, clusterClient, out schema)</c> restores it, through the restorer it
/// registers for the calling flow; ML.NET creates the mapping while it loads the model, so a plain <c>ml.Model.Load</c>,
/// and an <c>ml.Ood().Load</c> given no cluster client, are refused right there, naming LoadSharded. A mapping that was
/// somehow left in place throws at its first row rather than score the stub's zeros. Public for ML.NET's loader, hidden
/// from users.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ShardedHeadMappingFactory : CustomMappingFactory<OneSlotScore, ScalarScore>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "MlOod.ShardedKnn";

    /// <summary>The saved head's kind (its <c>mlood.head</c> metadata).</summary>
    internal const string Kind = "knn_sharded";

    /// <summary>Metadata of the saved stub (a stub, never a head that scores).</summary>
    internal const string SavedStubKey = "mlood.sharded_stub";

    private static readonly AsyncLocal<Func<OodHeadModel, ITransformer>?> Restorer = new();

    /// <summary>The mapping the saved form holds: it never scores.</summary>
    internal static Action<OneSlotScore, ScalarScore> NotRestored { get; } = (_, _) => throw new InvalidOperationException(OodErrors.ShardedHeadNotRestored);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Called by ML.NET's loader outside <c>ml.Ood().LoadSharded</c>.</exception>
    public override Action<OneSlotScore, ScalarScore> GetMapping()
        => Restorer.Value is not null ? NotRestored : throw new InvalidOperationException(OodErrors.ShardedHeadLoadedWithoutClient);

    /// <summary>
    /// Saves a sharded head's form: a stub of <paramref name="info"/>'s signature (its settings the manifest, sealed with
    /// the content hash as every head) under this mapping.
    /// </summary>
    internal static void Save(MLContext context, OodHeadInfo info, ModelSaveContext ctx)
    {
        using var folder = PrivateFolder.Create();
        string path = folder.PathOf("stub.onnx");
        File.WriteAllBytes(path, HeadStubs.BuildStub(info, info.OutputColumnName, SavedStubKey));
        SavableHeadForm.SaveForm(SavableHeadForm.Build(context, info, path, testTime: false, sharded: true), ctx);
    }

    /// <summary>
    /// Marks the calling flow as <c>ml.Ood().LoadSharded</c>'s until the result is disposed: sharded heads' saved forms
    /// load, and <see cref="Restore"/> turns each into what <paramref name="restore"/> makes of its saved stub.
    /// </summary>
    internal static IDisposable EnterRestoring(Func<OodHeadModel, ITransformer> restore)
    {
        var previous = Restorer.Value;
        Restorer.Value = restore;
        return new Leave(previous);
    }

    /// <summary>The restored transformer of a sharded head's saved stub; the caller still owns <paramref name="head"/>.</summary>
    /// <exception cref="InvalidDataException">No restorer was registered (the load was not LoadSharded's).</exception>
    internal static ITransformer Restore(OodHeadModel head)
        => (Restorer.Value ?? throw new InvalidDataException(OodErrors.ShardedHeadLoadedWithoutClient))(head);

    private sealed class Leave(Func<OodHeadModel, ITransformer>? previous) : IDisposable
    {
        public void Dispose() => Restorer.Value = previous;
    }
}
