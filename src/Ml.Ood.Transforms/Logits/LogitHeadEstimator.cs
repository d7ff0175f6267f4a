using Microsoft.ML;
using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>
/// A head on a row of logits (class scores before any softmax): Fit checks that the column does not hold probabilities
/// (what ML.NET's calibrated multiclass trainers write to Score) and the head is its score formula.
/// </summary>
/// <typeparam name="TSettings">The head's settings.</typeparam>
/// <remarks>
/// Fit reads the first 64 rows and throws <see cref="InvalidOperationException"/> when they all look like probabilities
/// (non-negative, summing to 1; for a multi-label head, all in [0, 1]): on probabilities these scores lose what they measure. Use SdcaNonCalibrated or an ONNX
/// model's logits, or, if the column does hold logits, create the head with <c>allowProbabilities: true</c>. A row with
/// a NaN or infinite logit scores NaN, and a Threshold decision flags it out-of-distribution (fail closed); the head
/// counts such rows (<see cref="OodHeadTransformer.NonFiniteRowCount"/>) and reports them on the MLContext's log. A row
/// whose vector is not of the column's declared size is an error naming the row.
/// </remarks>
public abstract class LogitHeadEstimator<TSettings> : OodHeadEstimator<TSettings> where TSettings : OodHeadSettings
{
    private readonly string _name;

    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="name">The head's name in messages, e.g. "MSP".</param>
    /// <param name="outputColumnName">The score column.</param>
    /// <param name="inputColumnName">The logits column.</param>
    /// <param name="settings">The head's settings.</param>
    /// <param name="execution">Device, CPU fallback and block size.</param>
    /// <param name="allowProbabilities">Whether Fit accepts probabilities.</param>
    private protected LogitHeadEstimator(OodCatalog catalog, string name, string outputColumnName, string inputColumnName, TSettings settings,
        OodExecutionOptions? execution, bool allowProbabilities)
        : base(catalog, outputColumnName, inputColumnName, execution)
    {
        _name = name;
        Settings = settings;
        AllowProbabilities = allowProbabilities;
    }

    /// <summary>The head's settings.</summary>
    public TSettings Settings { get; }

    /// <summary>Whether Fit accepts an input column that looks like probabilities (default <see langword="false"/>: it throws).</summary>
    public bool AllowProbabilities { get; }

    private protected sealed override FittedHead<TSettings> FitHead(IDataView trainingData, int inputSize)
    {
        ProbabilityInputCheck.ThrowIfProbabilities(trainingData, InputColumnName, _name, AllowProbabilities, ReadsMultiLabelLogits);
        return new FittedHead<TSettings>(Settings, g => Score(g, g.Input));
    }

    /// <summary>
    /// Whether the logits are independent per-label scores of a multi-label classifier (read through a sigmoid each, not a
    /// softmax): Fit then refuses rows whose values all lie in [0, 1], what sigmoid probabilities look like.
    /// </summary>
    private protected virtual bool ReadsMultiLabelLogits => false;

    /// <summary>The score of a row of logits, higher = more likely out-of-distribution.</summary>
    private protected abstract string Score(HeadGraph g, string logits);
}
