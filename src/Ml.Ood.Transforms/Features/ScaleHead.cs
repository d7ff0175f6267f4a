using Microsoft.ML;
using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>The SCALE head's settings.</summary>
/// <param name="Percentile">p in (0, 100): the share of features left out of s2; 85 in OpenOOD.</param>
/// <param name="Kept">k = D - round(D p / 100), the number of largest features summed into s2.</param>
[OodHeadKind("scale")]
public sealed record ScaleSettings(double Percentile, int Kept) : OodHeadSettings;

/// <summary>
/// SCALE (Xu et al., ICLR 2024; OpenOOD <c>scale_postprocessor</c> and <c>networks/scale_net.py</c>): the energy
/// -log sum exp(W h exp(s1 / s2) + b), where s1 is the sum of the features h and s2 the sum of its k = D - round(D p / 100)
/// largest; unlike ASH-S, h itself is not pruned. Higher means more likely out-of-distribution (OpenOOD returns the
/// negation).
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
/// h is the post-ReLU feature the classifier reads (non-negative). A row of zeros stays zero (OpenOOD divides 0 by 0 and
/// scores NaN). Create it with <c>ml.Ood().Scale(...)</c>; see <see cref="FeatureHeadEstimator{TSettings}"/>.
/// </remarks>
public sealed class ScaleEstimator : FeatureHeadEstimator<ScaleSettings>
{
    internal ScaleEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, OodClassifierLayer layer, double percentile,
        OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, layer, execution)
    {
        FeaturePercentile.Checked(percentile);
        Settings = new ScaleSettings(percentile, FeaturePercentile.Kept(layer.Features, percentile));
    }

    /// <summary>The head's settings.</summary>
    public ScaleSettings Settings { get; }

    private protected override FittedHead<ScaleSettings> FitHead(IDataView trainingData, int inputSize)
        => new(Settings, g =>
        {
            string sum = g.RowSum(g.Input, g.InputSize);
            string largest = g.RowSum(g.KeepLargestPruned(g.Input, g.InputSize, Settings.Kept), g.InputSize);
            string scaled = g.Node("Mul", g.Input, g.Node("Exp", g.DivideOrKeep(sum, largest)));
            return g.Energy(Logits(g, scaled));
        });
}
