using System.ComponentModel;
using Microsoft.ML.Transforms;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// The custom mapping of a test-time head's saved form (contract <c>MlOod.TestTimeHead</c>): ML.NET loads it, but it
/// throws at the first row, because a test-time head scored row by row from its starting state would be silently
/// stateless (docs/TEST-TIME-HEADS.md section 3). <c>ml.Ood().Load</c> recognises the form and restores the head.
/// Public for ML.NET's loader, hidden from users.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class TestTimeHeadMappingFactory : CustomMappingFactory<OneSlotScore, ScalarScore>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "MlOod.TestTimeHead";

    /// <inheritdoc/>
    public override Action<OneSlotScore, ScalarScore> GetMapping() => Map;

    private static void Map(OneSlotScore input, ScalarScore output)
        => throw new InvalidOperationException(OodErrors.TestTimeLoadedByMlNet);
}
