using Microsoft.ML;
using Ml.Ood.Trainers.Data;

namespace Ml.Ood;

/// <summary>
/// A head fitted per class (Mahalanobis, RMDS, temperature scaling): it reads a class label column beside its input,
/// which GetOutputSchema and Fit check like the input (present, a key or a whole number of an ML.NET number type).
/// </summary>
/// <typeparam name="TSettings">The head's settings record.</typeparam>
public abstract class LabelledHeadEstimator<TSettings> : OodHeadEstimator<TSettings> where TSettings : OodHeadSettings
{
    private protected LabelledHeadEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, string labelColumnName,
        OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, execution)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
        LabelColumnName = labelColumnName;
    }

    /// <summary>The class label column the head is fitted per.</summary>
    public string LabelColumnName { get; }

    private protected override void CheckOtherInputs(DataViewSchema inputSchema) => TrainingRows.LabelColumn(inputSchema, LabelColumnName);

    private protected override void CheckOtherInputs(SchemaShape inputSchema)
    {
        var label = inputSchema.FirstOrDefault(c => c.Name == LabelColumnName);
        if (label.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), OodErrors.Format(OodErrors.ColumnNotFound, LabelColumnName));
        }

        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !ClassLabels.IsAccepted(label.ItemType))
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                OodErrors.Format(OodErrors.SchemaMismatch, LabelColumnName, OodErrors.ExpectedClassLabel, label.ItemType));
        }
    }
}
