using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Ml.Ood.Service;

/// <summary>One input the service read and checked: an image of the model's size, or an embedding of its length.</summary>
public sealed class ServedInput(MLImage? image, float[]? embedding) : IDisposable
{
    public MLImage? Image { get; } = image;

    public float[]? Embedding { get; } = embedding;

    public void Dispose() => Image?.Dispose();
}

/// <summary>
/// Which input column of the saved model a request fills (an image column, or a fixed-length vector of Single for a
/// pipeline that starts at the embedding), and what the other input columns get: their default (a label 0, a truth
/// false), as a PredictionEngine's input class leaves them. Nothing in a scoring pipeline reads them.
/// </summary>
public sealed class InputLayout
{
    private InputLayout(DataViewSchema schema, DataViewSchema.Column column)
    {
        Schema = schema;
        Column = column;
        if (column.Type is ImageDataViewType image)
        {
            (Height, Width) = (image.Height, image.Width);
        }
        else
        {
            Length = ((VectorDataViewType)column.Type).Size;
        }
    }

    /// <summary>The model's input schema, as saved.</summary>
    public DataViewSchema Schema { get; }

    /// <summary>The column a request fills.</summary>
    public DataViewSchema.Column Column { get; }

    public bool IsImage => Column.Type is ImageDataViewType;

    public int Width { get; }

    public int Height { get; }

    /// <summary>The embedding's length (0 for images).</summary>
    public int Length { get; }

    /// <summary>
    /// Finds the column to fill and checks that every other input column can be left at its default. ML.NET cannot save an
    /// image column in a model's input schema (its saver drops it), so a saved schema with no image or embedding column
    /// gets an image column of <see cref="ServiceOptions.ImageWidth"/> x <see cref="ServiceOptions.ImageHeight"/>, named
    /// <see cref="ServiceOptions.InputColumn"/> or "Image", and the model must accept it (checked here).
    /// </summary>
    /// <param name="saved">The saved input schema.</param>
    /// <param name="model">The loaded model, which must accept the schema.</param>
    /// <param name="options">The service's settings.</param>
    public static InputLayout For(DataViewSchema saved, ITransformer model, ServiceOptions options)
    {
        string? name = options.InputColumn;
        var candidates = saved.Where(c => !c.IsHidden && (IsImageColumn(c) || IsEmbeddingColumn(c))).ToList();
        var chosen = name is null ? candidates : candidates.Where(c => c.Name == name).ToList();
        if (chosen.Count > 1)
        {
            throw new InvalidOperationException($"The model's input has several columns the service could fill ({string.Join(", ", chosen.Select(c => $"'{c.Name}' ({c.Type})"))}); name one with --{ServiceOptions.Section}:{nameof(ServiceOptions.InputColumn)}=NAME.");
        }

        var schema = saved;
        if (chosen.Count == 0)
        {
            var builder = new DataViewSchema.Builder();
            builder.AddColumns(saved.Where(c => c.Name != (name ?? "Image")));
            builder.AddColumn(name ?? "Image", new ImageDataViewType(options.ImageHeight, options.ImageWidth));
            schema = builder.ToSchema();
            chosen = [schema[name ?? "Image"]];
        }

        var other = schema.Where(c => !c.IsHidden && c.Index != chosen[0].Index && c.Type is not PrimitiveDataViewType).ToList();
        if (other.Count > 0)
        {
            throw new InvalidOperationException($"The service fills input column '{chosen[0].Name}' and leaves the others at their default, which a column of type {other[0].Type} ('{other[0].Name}') has none of; save the model with an input schema of '{chosen[0].Name}' and scalar columns only.");
        }
        try
        {
            model.GetOutputSchema(schema);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The model does not accept input column '{chosen[0].Name}' of type {chosen[0].Type}: {e.Message} For an image model, give its image size with --{ServiceOptions.Section}:{nameof(ServiceOptions.ImageWidth)}=W --{ServiceOptions.Section}:{nameof(ServiceOptions.ImageHeight)}=H and its column with --{ServiceOptions.Section}:{nameof(ServiceOptions.InputColumn)}=NAME.", e);
        }
        return new InputLayout(schema, chosen[0]);
    }

    /// <summary>Describes the input for GET /model.</summary>
    public object Describe() => IsImage
        ? new { column = Column.Name, kind = "image", width = Width, height = Height, formats = "PNG or JPEG" }
        : new { column = Column.Name, kind = "embedding", length = Length, formats = "JSON" };

    /// <summary>The getter of column <paramref name="column"/> for the row <paramref name="current"/> returns.</summary>
    internal ValueGetter<TValue> Getter<TValue>(DataViewSchema.Column column, Func<ServedInput> current)
    {
        if (column.Index != Column.Index)
        {
            if (column.Type.RawType != typeof(TValue))
            {
                throw new InvalidOperationException($"Column '{column.Name}' is {column.Type.RawType.Name}, asked for as {typeof(TValue).Name}.");
            }

            return (ref TValue value) => value = default!;
        }
        if (IsImage && typeof(TValue) == typeof(MLImage))
        {
            ValueGetter<MLImage> image = (ref MLImage value) => value = current().Image!;
            return (ValueGetter<TValue>)(Delegate)image;
        }
        if (!IsImage && typeof(TValue) == typeof(VBuffer<float>))
        {
            ValueGetter<VBuffer<float>> embedding = (ref VBuffer<float> value) =>
            {
                float[] source = current().Embedding!;
                var editor = VBufferEditor.Create(ref value, source.Length);
                source.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)embedding;
        }
        throw new InvalidOperationException($"Column '{column.Name}' is {column.Type.RawType.Name}, asked for as {typeof(TValue).Name}.");
    }

    private static bool IsImageColumn(DataViewSchema.Column c) => c.Type is ImageDataViewType { Height: > 0, Width: > 0 };

    private static bool IsEmbeddingColumn(DataViewSchema.Column c)
        => c.Type is VectorDataViewType { ItemType: NumberDataViewType n, IsKnownSize: true } && n.RawType == typeof(float);
}
