using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Transforms.Persistence;

namespace Ml.Ood;

/// <summary>The schema checks every head makes, at Fit, at GetOutputSchema and at Transform.</summary>
internal static class HeadSchema
{
    /// <summary>Checks the input column of a data view; returns its vector size (1 for a scalar input).</summary>
    public static int CheckInput(DataViewSchema schema, string columnName, int? expectedSize = null, bool scalar = false)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), OodErrors.Format(OodErrors.ColumnNotFound, columnName));
        if (scalar)
        {
            if (column.Type != NumberDataViewType.Single)
            {
                throw new ArgumentOutOfRangeException("inputSchema", OodErrors.Format(OodErrors.SchemaMismatch, columnName, "Single", column.Type.ToString()!));
            }

            return 1;
        }
        if (column.Type is VectorDataViewType { Size: 0, ItemType: var unsized } && unsized == NumberDataViewType.Single)
        {
            throw Mismatch(columnName, expectedSize, column.Type.ToString()!, variableSize: true);
        }

        if (column.Type is not VectorDataViewType { ItemType: var item, Size: > 0 } vector || item != NumberDataViewType.Single)
        {
            throw Mismatch(columnName, expectedSize, column.Type.ToString()!);
        }

        if (expectedSize is int size && vector.Size != size)
        {
            throw Mismatch(columnName, expectedSize, column.Type.ToString()!);
        }

        return vector.Size;
    }

    /// <summary>Checks the input column of a schema shape (the estimator's view, which carries no sizes).</summary>
    public static void CheckInput(SchemaShape schema, string columnName, bool scalar = false)
    {
        var column = schema.FirstOrDefault(c => c.Name == columnName);
        if (column.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), OodErrors.Format(OodErrors.ColumnNotFound, columnName));
        }

        if (scalar)
        {
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single)
            {
                throw new ArgumentOutOfRangeException("inputSchema", OodErrors.Format(OodErrors.SchemaMismatch, columnName, "Single", Describe(column)));
            }

            return;
        }
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
        {
            bool variableSize = column.Kind == SchemaShape.Column.VectorKind.VariableVector && column.ItemType == NumberDataViewType.Single;
            throw Mismatch(columnName, null, Describe(column), variableSize);
        }
    }

    /// <summary>
    /// Checks a ground-truth column (Boolean, true = out-of-distribution) that a head reads besides its input, and
    /// refuses one that MlOod annotated as its own decision (<see cref="OodAnnotations.IsDecision"/>).
    /// </summary>
    public static void CheckTruth(DataViewSchema schema, string columnName, string argumentName)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), OodErrors.Format(OodErrors.ColumnNotFound, columnName));
        if (column.Type != BooleanDataViewType.Instance)
        {
            throw new ArgumentOutOfRangeException("inputSchema", OodErrors.Format(OodErrors.SchemaMismatch, columnName, "Boolean", column.Type.ToString()!));
        }

        if (OodAnnotations.IsDecision(column))
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.DecisionNotTruth, columnName), argumentName);
        }
    }

    /// <summary>The same checks on a schema shape, which carries the annotations' kinds but not their values.</summary>
    public static void CheckTruth(SchemaShape schema, string columnName, string argumentName)
    {
        var column = schema.FirstOrDefault(c => c.Name == columnName);
        if (column.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), OodErrors.Format(OodErrors.ColumnNotFound, columnName));
        }

        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != BooleanDataViewType.Instance)
        {
            throw new ArgumentOutOfRangeException("inputSchema", OodErrors.Format(OodErrors.SchemaMismatch, columnName, "Boolean", Describe(column)));
        }
        // MlOod only ever writes the annotation with the value true (OodAnnotations.AddDecision).
        if (column.Annotations.Any(a => a.Name == OodAnnotations.DecisionKind))
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.DecisionNotTruth, columnName), argumentName);
        }
    }

    private static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => column.ItemType.ToString() ?? "?",
        SchemaShape.Column.VectorKind.VariableVector => $"Vector<{column.ItemType}>",
        _ => $"Vector<{column.ItemType}, known size>",
    };

    /// <summary>The schema shape column a head adds.</summary>
    public static SchemaShape.Column OutputColumn(MLContext context, string name, OodHeadOutputKind kind)
    {
        // SchemaShape.Column's constructor and SchemaShape.Create are internal to ML.NET. A custom mapping
        // with no inputs and a renamed output is the public way to have ML.NET describe a new scalar column.
        var empty = new SchemaShape([]);
        return kind == OodHeadOutputKind.Score
            ? DescribeOutput<ScalarScore>(context, name, empty, decision: false)
            : DescribeOutput<ScalarDecision>(context, name, empty, decision: true);
    }

    private static SchemaShape.Column DescribeOutput<TRow>(MLContext context, string name, SchemaShape empty, bool decision) where TRow : class, new()
    {
        var definition = SchemaDefinition.Create(typeof(TRow));
        definition[0].ColumnName = name;
        // The estimator promises the mark its transformer writes (Append), so that a pipeline's GetOutputSchema already
        // refuses the decision as a later head's truth (CheckTruth on a SchemaShape).
        if (decision)
        {
            definition[0].AddAnnotation(OodAnnotations.DecisionKind, true, BooleanDataViewType.Instance);
        }

        var estimator = context.Transforms.CustomMapping<NoColumns, TRow>((_, _) => { }, contractName: null, outputSchemaDefinition: definition);
        return estimator.GetOutputSchema(empty).Single(c => c.Name == name);
    }

    /// <summary>A row type with no columns, the input of <see cref="DescribeOutput{TRow}"/>.</summary>
    private sealed class NoColumns;

    public static PrimitiveDataViewType OutputType(OodHeadOutputKind kind)
        => kind == OodHeadOutputKind.Score ? NumberDataViewType.Single : BooleanDataViewType.Instance;

    /// <summary>
    /// The input schema with the head's output column appended (hiding any column of the same name); a decision column
    /// carries <see cref="OodAnnotations.DecisionKind"/>, so that no evaluator takes it for the ground truth.
    /// </summary>
    public static DataViewSchema Append(DataViewSchema input, string outputColumnName, OodHeadOutputKind kind)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        var annotations = new DataViewSchema.Annotations.Builder();
        if (kind == OodHeadOutputKind.Decision)
        {
            OodAnnotations.AddDecision(annotations);
        }

        builder.AddColumn(outputColumnName, OutputType(kind), annotations.ToAnnotations());
        return builder.ToSchema();
    }

    private static ArgumentOutOfRangeException Mismatch(string columnName, int? expectedSize, string actual, bool variableSize = false)
    {
        string expected = expectedSize is int size
            ? OodErrors.Format(OodErrors.ExpectedFloatVectorOfSize, size)
            : OodErrors.ExpectedFloatVector;
        // A Vector<Single> of unknown size is the usual result of a float[] property without [VectorType(n)]: the
        // head's ONNX graph needs the width, so say how to declare it rather than only what is wrong.
        string message = OodErrors.Format(OodErrors.SchemaMismatch, columnName, expected, actual)
            + (variableSize ? OodErrors.VariableSizeVectorHint : "");
        return new ArgumentOutOfRangeException("inputSchema", message);
    }
}
