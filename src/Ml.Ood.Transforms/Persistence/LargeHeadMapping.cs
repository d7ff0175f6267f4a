using System.ComponentModel;
using Microsoft.ML.Transforms;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// The custom mapping of a large head's saved form (contract <c>MlOod.LargeHead</c>), whose bank lies in .zip entries that
/// only <c>ml.Ood().Load</c> reads: ML.NET creates the mapping while it loads the model, so a plain <c>ml.Model.Load</c> is
/// refused right there, naming <c>ml.Ood().Load</c>; under <c>ml.Ood().Load</c> the head is replaced by its restored self,
/// and a mapping that was somehow left in place throws at its first row rather than score the stub's zeros. Public for
/// ML.NET's loader, hidden from users.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class LargeHeadMappingFactory : CustomMappingFactory<OneSlotScore, ScalarScore>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "MlOod.LargeHead";

    private static readonly AsyncLocal<int> Restoring = new();

    /// <summary>The mapping the saved form holds: it never scores.</summary>
    internal static Action<OneSlotScore, ScalarScore> NotRestored { get; } = (_, _) => throw new InvalidOperationException(OodErrors.LargeHeadNotRestored);

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Called by ML.NET's loader outside <c>ml.Ood().Load</c>.</exception>
    public override Action<OneSlotScore, ScalarScore> GetMapping()
        => Restoring.Value > 0 ? NotRestored : throw new InvalidOperationException(OodErrors.LargeHeadLoadedByMlNet);

    /// <summary>Marks the calling flow as <c>ml.Ood().Load</c>'s, which restores large heads, until the result is disposed.</summary>
    internal static IDisposable EnterRestoring()
    {
        Restoring.Value++;
        return new Leave();
    }

    private sealed class Leave : IDisposable
    {
        public void Dispose() => Restoring.Value--;
    }
}
