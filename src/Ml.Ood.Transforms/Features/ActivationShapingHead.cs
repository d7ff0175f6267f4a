using Microsoft.ML;
using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>The three ways ASH reshapes the features it keeps (Djurisic et al., ICLR 2023).</summary>
public enum AshMode
{
    /// <summary>ASH-P: keep the k largest features as they are, zero the rest.</summary>
    P,

    /// <summary>ASH-B: set the k largest features to sum(h) / k, zero the rest (OpenOOD's default).</summary>
    B,

    /// <summary>ASH-S: keep the k largest features, zero the rest, and multiply by exp(sum(h) / sum(kept)).</summary>
    S,
}

/// <summary>The ASH head's settings.</summary>
/// <param name="Mode">ASH-P, ASH-B or ASH-S.</param>
/// <param name="Percentile">p in (0, 100): the share of features pruned; 90 in OpenOOD.</param>
/// <param name="Kept">k = D - round(D p / 100), the number of largest features kept.</param>
[OodHeadKind("ash")]
public sealed record AshSettings(AshMode Mode, double Percentile, int Kept) : OodHeadSettings;

/// <summary>
/// ASH, activation shaping (Djurisic et al., ICLR 2023; OpenOOD <c>ash_postprocessor</c> and <c>networks/ash_net.py</c>):
/// the energy -log sum exp(W h' + b) of the classifier's logits on shaped features h', which keep only the k = D - round(D
/// p / 100) largest features of h (<see cref="AshMode"/>). Higher means more likely out-of-distribution (OpenOOD returns
/// the negation).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No |
/// | Input column data type | Known-sized vector of <xref:System.Single> (penultimate features, D wide) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Transforms | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// h is the post-ReLU feature the classifier reads (non-negative). Exactly k features are kept; among values equal to
/// the k-th largest the choice is ONNX Runtime's TopK's, as torch.topk's is in OpenOOD (a tie at 0 changes nothing in
/// ASH-P and ASH-S, which zero the D - k smallest). ASH-S of a row of zeros keeps it zero (OpenOOD divides 0 by 0
/// and scores NaN). Create it with <c>ml.Ood().Ash(...)</c>; see <see cref="FeatureHeadEstimator{TSettings}"/>.
/// </remarks>
public sealed class AshEstimator : FeatureHeadEstimator<AshSettings>
{
    internal AshEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, OodClassifierLayer layer, AshMode mode,
        double percentile, OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, layer, execution)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, null);
        }

        FeaturePercentile.Checked(percentile);
        Settings = new AshSettings(mode, percentile, FeaturePercentile.Kept(layer.Features, percentile));
    }

    /// <summary>The head's settings.</summary>
    public AshSettings Settings { get; }

    private protected override FittedHead<AshSettings> FitHead(IDataView trainingData, int inputSize)
        => new(Settings, g => g.Energy(Logits(g, Shaped(g, g.Input))));

    private string Shaped(HeadGraph g, string h)
    {
        int k = Settings.Kept;
        switch (Settings.Mode)
        {
            case AshMode.P:
                return g.KeepLargestPruned(h, g.InputSize, k);
            case AshMode.B:
                string fill = g.Node("Div", g.RowSum(h, g.InputSize), g.Constant((float)k));
                return g.KeepLargest(h, k, fill).Kept;
            default:
                string kept = g.KeepLargestPruned(h, g.InputSize, k);
                string ratio = g.DivideOrKeep(g.RowSum(h, g.InputSize), g.RowSum(kept, g.InputSize));
                return g.Node("Mul", kept, g.Node("Exp", ratio));
        }
    }
}
