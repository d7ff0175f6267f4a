using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood;

/// <summary>The encoder's columns: its inputs checked with ML.NET's wording, its outputs appended.</summary>
internal static class EncoderSchema
{
    /// <summary>Each input column must be a vector of Single with as many values as the model's input has per row.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or of another type or size.</exception>
    public static void CheckInputs(DataViewSchema schema, OnnxEncoderModel model)
    {
        foreach (var input in model.Inputs)
        {
            var column = schema.GetColumnOrNull(input.Name)
                ?? throw new ArgumentOutOfRangeException(nameof(schema), OodErrors.Format(OodErrors.ColumnNotFound, input.Name));
            if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item } vector || item != NumberDataViewType.Single
                || vector.Size != input.RowSize)
            {
                throw Mismatch(input, column.Type.ToString() ?? "?");
            }
        }
    }

    /// <summary>The same check on an estimator's schema shape, where a vector's size is not known.</summary>
    public static void CheckInputs(SchemaShape schema, OnnxEncoderModel model)
    {
        foreach (var input in model.Inputs)
        {
            var column = schema.FirstOrDefault(c => c.Name == input.Name);
            if (column.Name is null)
            {
                throw new ArgumentOutOfRangeException(nameof(schema), OodErrors.Format(OodErrors.ColumnNotFound, input.Name));
            }

            if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
            {
                throw Mismatch(input, $"{column.Kind} of {column.ItemType}");
            }
        }
    }

    /// <summary>The input schema with the encoder's outputs appended (each hiding any column of the same name).</summary>
    public static DataViewSchema Append(DataViewSchema input, OnnxEncoderModel model)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var output in model.Outputs)
        {
            builder.AddColumn(output.Name, output.ColumnType);
        }

        return builder.ToSchema();
    }

    /// <summary>The schema shape columns the encoder adds.</summary>
    public static IEnumerable<SchemaShape.Column> OutputColumns(MLContext context, OnnxEncoderModel model)
    {
        // SchemaShape.Column's constructor is internal to ML.NET: a custom mapping with no inputs and a renamed, retyped
        // output is the public way to have ML.NET describe a new column (as HeadSchema does for a score).
        var empty = new SchemaShape([]);
        foreach (var output in model.Outputs)
        {
            var definition = SchemaDefinition.Create(typeof(VectorRow));
            definition[0].ColumnName = output.Name;
            definition[0].ColumnType = output.ColumnType;
            var estimator = context.Transforms.CustomMapping<NoColumns, VectorRow>((_, _) => { }, contractName: null, outputSchemaDefinition: definition);
            yield return estimator.GetOutputSchema(empty).Single(c => c.Name == output.Name);
        }
    }

    private static ArgumentOutOfRangeException Mismatch(EncoderTensor input, string actual)
    {
        string expected = OodErrors.Format(OodErrors.EncoderExpectedInput, input.RowSize, input.DescribeShape());
        return new ArgumentOutOfRangeException("inputSchema", OodErrors.Format(OodErrors.SchemaMismatch, input.Name, expected, actual));
    }

    /// <summary>A row type with no columns.</summary>
    private sealed class NoColumns;

    /// <summary>A row type with one vector column, renamed and retyped by a schema definition.</summary>
    private sealed class VectorRow
    {
        public float[] Value { get; set; } = [];
    }
}
