using Microsoft.ML;
using Microsoft.ML.Data;

namespace Ml.Ood.Transforms;

/// <summary>
/// The shape every MlOod head estimator shares: check the input column, build the head's ONNX graph
/// (from data when the head has state), and return an <see cref="OodHeadTransformer"/>. A new head is one
/// subclass that writes its graph.
/// </summary>
public abstract class OodHeadEstimator : IEstimator<OodHeadTransformer>
{
    private readonly OodHeadExecution _execution;

    private protected OodHeadEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName,
        int? gpuDeviceId, bool? fallbackToCpu, int? blockSize)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        // Required, unlike ML.NET's in-place transforms: a head writes a new kind of column (a score from logits
        // or embeddings), so an input named like the output is almost always a mistake (STYLE.md).
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        Catalog = catalog;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        _execution = OodHeadExecution.Resolve(catalog.Context, gpuDeviceId, fallbackToCpu, blockSize);
    }

    /// <summary>The column the head writes.</summary>
    public string OutputColumnName { get; }

    /// <summary>The column the head reads: a known-size vector of <see cref="float"/>.</summary>
    public string InputColumnName { get; }

    private protected OodCatalog Catalog { get; }

    private protected virtual OodHeadOutputKind OutputKind => OodHeadOutputKind.Score;

    /// <summary>Whether the head reads a scalar <see cref="float"/> column rather than a vector.</summary>
    private protected virtual bool InputIsScalar => false;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">ONNX Runtime's native library cannot be loaded: the application
    /// references neither Microsoft.ML.OnnxRuntime nor Microsoft.ML.OnnxRuntime.Gpu (or a mismatched version).</exception>
    public OodHeadTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int inputSize = HeadSchema.CheckInput(input.Schema, InputColumnName, scalar: InputIsScalar);
        CheckOtherInputs(input.Schema);
        OnnxRuntimeCheck.EnsureAvailable();
        var model = BuildModel(input, inputSize);
        return new OodHeadTransformer(Catalog.Context, model, _execution);
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        HeadSchema.CheckInput(inputSchema, InputColumnName, InputIsScalar);
        CheckOtherInputs(inputSchema);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[OutputColumnName] = HeadSchema.OutputColumn(Catalog.Context, OutputColumnName, OutputKind);
        return new SchemaShape(columns.Values);
    }

    /// <summary>Checks the columns a head reads besides its input (a label, a truth column) before any row is read.</summary>
    private protected virtual void CheckOtherInputs(DataViewSchema inputSchema)
    {
    }

    /// <summary>The same checks on the estimator's view of the schema, for <see cref="GetOutputSchema"/>.</summary>
    private protected virtual void CheckOtherInputs(SchemaShape inputSchema)
    {
    }

    /// <summary>The description a head stamps into its graph.</summary>
    private protected OodHeadInfo Describe(string kind, int inputSize, IReadOnlyDictionary<string, string>? parameters = null)
        => new(kind, InputColumnName, OutputColumnName, inputSize, OutputKind,
            parameters ?? new Dictionary<string, string>(StringComparer.Ordinal), InputIsScalar);

    /// <summary>Builds the head's graph; stateful heads read <paramref name="trainingData"/> once.</summary>
    private protected abstract OodHeadModel BuildModel(IDataView trainingData, int inputSize);
}
