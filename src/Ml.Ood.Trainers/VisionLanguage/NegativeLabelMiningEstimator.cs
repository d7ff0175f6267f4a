using Microsoft.ML;
using Microsoft.ML.Runtime;
namespace Ml.Ood;

/// <summary>
/// NegLabel with its negative labels mined from a lexicon (Jiang et al., ICLR 2024): <see cref="Fit"/> runs
/// NegMining (<see cref="NegativeLabelMiner"/>) over the candidate words and returns the NegLabel head
/// (<see cref="NegativeLabelEstimator"/>) over the picked words. Higher means more likely out-of-distribution.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No: it mines the lexicon's text embeddings; the data only gives the image column's width |
/// | Input column data type | Known-sized vector of <xref:System.Single> (image embedding, as wide as the text embeddings) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// The mining runs once, at the first <see cref="Fit"/> or read of <see cref="Selection"/>, and its result is
/// kept: <see cref="Selection"/> lists the picked words. Create it with <c>ml.Ood().NegativeLabelsFromLexicon(...)</c>.
/// A row with a NaN or infinite input value scores NaN, and a Threshold decision flags it out-of-distribution (fail
/// closed); the head counts such rows (<see cref="OodHeadTransformer.NonFiniteRowCount"/>) and reports them on the
/// MLContext's log. A row whose vector is not of the column's declared size is an error naming the row.
/// </remarks>
public sealed class NegativeLabelMiningEstimator : IEstimator<OodHeadTransformer>
{
    private readonly OodCatalog _catalog;
    private readonly NegativeLabelMiningOptions _options;
    private readonly IReadOnlyList<float[]> _idLabelEmbeddings;
    private readonly Lazy<NegativeLabelSelection> _selection;

    internal NegativeLabelMiningEstimator(OodCatalog catalog, IReadOnlyList<string> idLabelNames, IReadOnlyList<float[]> idLabelEmbeddings,
        IReadOnlyList<LexiconWord> words, IReadOnlyList<float[]> wordEmbeddings, NegativeLabelMiningOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _catalog = catalog;
        _options = options.Copy();
        _idLabelEmbeddings = idLabelEmbeddings;
        _selection = new Lazy<NegativeLabelSelection>(() => Mine(idLabelNames, words, wordEmbeddings));
    }

    /// <summary>The picked negative labels (mined on first access).</summary>
    public NegativeLabelSelection Selection => _selection.Value;

    /// <inheritdoc/>
    public OodHeadTransformer Fit(IDataView input) => Head().Fit(input);

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => Head().GetOutputSchema(inputSchema);

    private NegativeLabelEstimator Head()
        => _catalog.NegativeLabels(_options.OutputColumnName, _options.InputColumnName, _idLabelEmbeddings, Selection.Embeddings,
            _options.Temperature, Math.Min(_options.Groups, Selection.Count), _options.ShuffleSeed, _options.Execution);

    private NegativeLabelSelection Mine(IReadOnlyList<string> idLabelNames, IReadOnlyList<LexiconWord> words, IReadOnlyList<float[]> wordEmbeddings)
    {
        var selection = NegativeLabelMiner.Select(words, wordEmbeddings, idLabelNames, _idLabelEmbeddings, _options.Count, _options.Quantile);
        if (selection.Count == 0)
        {
            throw new InvalidOperationException(OodErrors.NegativeMiningKeptNothing);
        }

        var host = _catalog.Environment.Register(nameof(NegativeLabelMiningEstimator));
        using var channel = host.Start("NegMining");
        channel.Info(MessageSensitivity.None,
            $"NegMining: {selection.Count:N0} of {words.Count:N0} candidates kept ({selection.ExcludedAsIdLabels:N0} equal an ID label, " +
            $"{selection.ExcludedAsDuplicates:N0} repeat another); farthest: {string.Join(", ", selection.Words.Take(5).Select(w => w.Text))}.");
        return selection;
    }
}
