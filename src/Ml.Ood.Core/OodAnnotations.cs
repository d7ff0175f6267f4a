using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood;

/// <summary>
/// The column annotations MlOod writes, so that other MlOod packages (and users) can tell MlOod's own columns apart.
/// </summary>
public static class OodAnnotations
{
    /// <summary>
    /// The annotation kind on a column that holds an MlOod decision (a <see cref="bool"/>, true = flagged
    /// out-of-distribution): a prediction, which an evaluator must never read as the ground truth. Its value is a
    /// <see cref="bool"/>, always <see langword="true"/>.
    /// </summary>
    /// <remarks>
    /// Set by the batched heads, in memory and after <c>ml.Ood().Load</c> or <c>ml.Ood().WithBatchedHeads</c>.
    /// ML.NET's own loader (<c>ml.Model.Load</c>) rebuilds a head from ML.NET's transformers, which cannot carry
    /// custom annotations, so the mark is absent there.
    /// </remarks>
    public const string DecisionKind = "MlOod.Decision";

    /// <summary>Whether <paramref name="column"/> carries the <see cref="DecisionKind"/> annotation.</summary>
    /// <param name="column">A column of a data view's schema.</param>
    public static bool IsDecision(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(DecisionKind);
        if (annotation is null || annotation.Value.Type != BooleanDataViewType.Instance)
        {
            return false;
        }

        bool value = false;
        column.Annotations.GetValue(DecisionKind, ref value);
        return value;
    }

    /// <summary>Adds the <see cref="DecisionKind"/> annotation to an annotations builder.</summary>
    /// <param name="builder">The builder of the decision column's annotations.</param>
    public static void AddDecision(DataViewSchema.Annotations.Builder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(DecisionKind, BooleanDataViewType.Instance, (ref bool value) => value = true);
    }
}
