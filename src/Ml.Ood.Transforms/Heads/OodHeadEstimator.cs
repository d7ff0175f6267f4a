using Microsoft.ML;
using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>
/// The shape every MlOod head estimator shares: check the input column, build the head's ONNX graph (from data when the
/// head has state), and return an <see cref="OodHeadTransformer"/>. A new head derives from
/// <see cref="OodHeadEstimator{TSettings}"/> and writes its formula.
/// </summary>
public abstract class OodHeadEstimator : IEstimator<OodHeadTransformer>
{
    private readonly OodHeadExecution _execution;

    private protected OodHeadEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, OodExecutionOptions? execution)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        // Required, unlike ML.NET's in-place transforms: a head writes a new kind of column (a score from logits
        // or embeddings), so an input named like the output is almost always a mistake.
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        Catalog = catalog;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        _execution = OodHeadExecution.Resolve(catalog, execution);
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

/// <summary>
/// A head whose settings are a <typeparamref name="TSettings"/> record: <see cref="FitHead"/> returns the settings and
/// the head's formula, written with MlOod's score pieces; the base class describes, builds and checks the graph.
/// </summary>
/// <typeparam name="TSettings">The head's settings, saved in its model and read back with <c>GetSettings</c>.</typeparam>
public abstract class OodHeadEstimator<TSettings> : OodHeadEstimator where TSettings : OodHeadSettings
{
    private protected OodHeadEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, execution)
    {
    }

    private protected sealed override OodHeadModel BuildModel(IDataView trainingData, int inputSize)
    {
        var head = FitHead(trainingData, inputSize);
        var info = Describe(HeadSettings.KindOf<TSettings>(), inputSize, HeadSettings.Write(head.Settings));
        if (head.MaxRowsPerRun is int rows)
        {
            info = info.WithMaxRowsPerRun(rows);
        }

        var graph = HeadGraph.Start(info);
        return graph.Finish(head.Formula(graph));
    }

    /// <summary>What the head learns from <paramref name="trainingData"/> (read once; nothing for a stateless head).</summary>
    private protected abstract FittedHead<TSettings> FitHead(IDataView trainingData, int inputSize);
}

/// <summary>A fitted head: its settings, its formula (which returns the score's value name), and any cap on rows per call.</summary>
internal sealed record FittedHead<TSettings>(TSettings Settings, Func<HeadGraph, string> Formula) where TSettings : OodHeadSettings
{
    /// <summary>The most rows one ONNX Runtime call may score, for heads whose work space grows with their state.</summary>
    public int? MaxRowsPerRun { get; init; }
}
