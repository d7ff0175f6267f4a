using System.ComponentModel;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Ml.Ood.Transforms.Persistence;

// ML.NET's OnnxTransformer announces a graph output of shape [batch] as a one-slot vector, and a rank-0
// output cannot be read at all (docs/ARCHITECTURE.md section 3). These custom mappings turn the one slot back into the
// scalar the in-memory head produces. ML.NET records their assembly in the .zip and loads it itself, so
// loading a model needs no registration call, only this package beside the application. They are public for ML.NET's
// loader and hidden from users (EditorBrowsable), who never name them.

/// <summary>Input row of the score mapping: the head graph's one-slot score output.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OneSlotScore
{
    /// <summary>The score as ML.NET reads the ONNX output.</summary>
    [ColumnName(OodHeadModel.ScoreOutputName), VectorType(1)]
    public float[] Vector { get; set; } = [];
}

/// <summary>Output row of the score mapping.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ScalarScore
{
    /// <summary>The column name of the scalar before it is copied to the head's output column.</summary>
    public const string ColumnName = "mlood_score_scalar";

    /// <summary>The score.</summary>
    [ColumnName(ColumnName)]
    public float Value { get; set; }
}

/// <summary>Turns a head's one-slot score into a scalar score; found by ML.NET through its contract name.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class OneSlotScoreToScalarFactory : CustomMappingFactory<OneSlotScore, ScalarScore>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "MlOod.OneSlotScoreToScalar";

    /// <inheritdoc/>
    public override Action<OneSlotScore, ScalarScore> GetMapping() => Map;

    private static void Map(OneSlotScore input, ScalarScore output) => output.Value = input.Vector[0];
}

/// <summary>Input row of the decision mapping: the head graph's one-slot decision output.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OneSlotDecision
{
    /// <summary>The decision as ML.NET reads the ONNX output.</summary>
    [ColumnName(OodHeadModel.DecisionOutputName), VectorType(1)]
    public bool[] Vector { get; set; } = [];
}

/// <summary>Output row of the decision mapping.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ScalarDecision
{
    /// <summary>The column name of the scalar before it is copied to the head's output column.</summary>
    public const string ColumnName = "mlood_decision_scalar";

    /// <summary>The decision.</summary>
    [ColumnName(ColumnName)]
    public bool Value { get; set; }
}

/// <summary>Turns a head's one-slot decision into a scalar decision; found by ML.NET through its contract name.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class OneSlotDecisionToScalarFactory : CustomMappingFactory<OneSlotDecision, ScalarDecision>
{
    /// <summary>The contract name stored in saved models.</summary>
    public const string ContractName = "MlOod.OneSlotDecisionToScalar";

    /// <inheritdoc/>
    public override Action<OneSlotDecision, ScalarDecision> GetMapping() => Map;

    private static void Map(OneSlotDecision input, ScalarDecision output) => output.Value = input.Vector[0];
}
