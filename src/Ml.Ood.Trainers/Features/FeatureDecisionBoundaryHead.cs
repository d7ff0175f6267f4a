using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Trainers.Data;
using Ml.Ood.Transforms.Graph;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood;

/// <summary>The fDBD head's settings.</summary>
/// <param name="Classes">The number of classes of the classifier layer.</param>
/// <param name="DistanceAsNormalizer">Whether the score is divided by ||h - mean of the training features|| (true, the
/// paper's) or by ||h|| (false).</param>
[OodHeadKind("fdbd")]
public sealed record FeatureDecisionBoundarySettings(int Classes, bool DistanceAsNormalizer) : OodHeadSettings;

/// <summary>
/// fDBD, the feature distance to the decision boundaries (Liu and Qin, "Fast Decision Boundary based Out-of-Distribution
/// Detector", ICML 2024; OpenOOD <c>fdbd_postprocessor</c>): with f = W h + b and m the predicted class,
/// score = -[sum_j |f_m - f_j| / ||w_m - w_j||] / ||h - mean(h_train)||, the j = m term being 0. Higher means more likely
/// out-of-distribution (OpenOOD returns the negation).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: one pass for the mean of the training features (none when `distanceAsNormalizer` is false) |
/// | Input column data type | Known-sized vector of <xref:System.Single> (penultimate features, D = the layer's) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// |f_m - f_j| / ||w_m - w_j|| is the distance from h to the boundary between classes m and j, measured in feature space;
/// the score averages (up to the constant C - 1) these distances and divides by the distance to the training mean, so that
/// rows near every boundary relative to their distance from the data score high. The [C, C] matrix of 1 / ||w_m - w_j||
/// (zero diagonal) is precomputed in double; two classes with identical weight rows have no boundary and are refused. The
/// predicted class is the first largest logit. OpenOOD (v1.5) chooses between the two normalisers on validation data; the
/// paper's, the distance to the mean, is the default. A row at the training mean (with <c>distanceAsNormalizer</c> false,
/// a zero row) divides by zero and scores -infinity, which a Threshold decision flags out-of-distribution. A row with a
/// NaN or infinite value scores NaN. Create it with <c>ml.Ood().Fdbd(...)</c>.
/// </remarks>
public sealed class FeatureDecisionBoundaryEstimator : FeatureHeadEstimator<FeatureDecisionBoundarySettings>
{
    private readonly float[] _inverseDistances;

    internal FeatureDecisionBoundaryEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, OodClassifierLayer layer,
        bool distanceAsNormalizer, OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, layer, execution)
    {
        DistanceAsNormalizer = distanceAsNormalizer;
        // Checked here, so that a layer with two identical classes fails where it is passed, before any row is read.
        _inverseDistances = InverseBoundaryDistances(layer);
    }

    /// <summary>Whether the score is divided by the distance to the training mean (true) or by the feature norm (false).</summary>
    public bool DistanceAsNormalizer { get; }

    private protected override FittedHead<FeatureDecisionBoundarySettings> FitHead(IDataView trainingData, int inputSize)
    {
        float[] inverseDistances = _inverseDistances;
        float[]? mean = DistanceAsNormalizer ? TrainingMean(trainingData, inputSize) : null;
        int classes = Layer.Classes;
        return new(new FeatureDecisionBoundarySettings(classes, DistanceAsNormalizer), g =>
        {
            string logits = Logits(g, g.Input);
            string largest = g.Node("ReduceMax", [logits, g.Axis(1)], OnnxAttributes.Int("keepdims", 1));
            string predicted = g.Node("ArgMax", [logits], OnnxAttributes.Int("axis", 1), OnnxAttributes.Int("keepdims", 0));
            string perBoundary = g.Node("Gather", [g.Weights("inverse_boundary_distances", inverseDistances, classes, classes), predicted],
                OnnxAttributes.Int("axis", 0));
            string distances = g.RowSum(g.Node("Mul", g.Node("Sub", largest, logits), perBoundary), classes);
            string centred = mean is null ? g.Input : g.Node("Sub", g.Input, g.Weights("train_mean", mean, inputSize));
            string norm = g.Node("Sqrt", g.Node("ReduceSumSquare", [centred, g.Axis(1)], OnnxAttributes.Int("keepdims", 1)));
            return g.Node("Neg", g.Node("Squeeze", g.Node("Div", distances, norm), g.Axis(1)));
        });
    }

    /// <summary>1 / ||w_m - w_j|| for every pair of classes, [C, C] row-major, 0 on the diagonal (whose gap is 0).</summary>
    private static float[] InverseBoundaryDistances(OodClassifierLayer layer)
    {
        int classes = layer.Classes, features = layer.Features;
        var weights = layer.Weights.Span;
        var result = new float[classes * classes];
        for (int m = 0; m < classes; m++)
        {
            for (int j = 0; j < classes; j++)
            {
                if (j == m)
                {
                    continue;
                }

                double squared = 0;
                for (int d = 0; d < features; d++)
                {
                    double difference = (double)weights[m * features + d] - weights[j * features + d];
                    squared += difference * difference;
                }
                if (squared == 0)
                {
                    throw new ArgumentException(OodErrors.Format(OodErrors.FdbdIdenticalWeightRows, Math.Min(m, j), Math.Max(m, j)), "layer");
                }

                result[m * classes + j] = (float)(1 / Math.Sqrt(squared));
            }
        }
        return result;
    }

    /// <summary>The mean of the training features, accumulated in double.</summary>
    private float[] TrainingMean(IDataView trainingData, int inputSize)
    {
        var host = Catalog.Environment.Register(nameof(FeatureDecisionBoundaryEstimator));
        var sum = new double[inputSize];
        long rows = TrainingRows.Read(host, trainingData, InputColumnName, labelColumn: null, (h, _) =>
        {
            for (int d = 0; d < sum.Length; d++)
            {
                sum[d] += h[d];
            }
        });
        if (rows == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.FeatureHeadNoRows, InputColumnName, "fDBD"));
        }

        using (var channel = host.Start("fDBD"))
        {
            channel.Info(MessageSensitivity.None, $"fDBD: mean of {rows:N0} rows of '{InputColumnName}'.");
        }

        return sum.Select(s => (float)(s / rows)).ToArray();
    }
}
