using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Trainers.Data;
using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>The ReAct head's settings.</summary>
/// <param name="Percentile">p in (0, 100): the percentile of the training activations that becomes the clip value; 90 in OpenOOD.</param>
/// <param name="Clip">c, the fitted clip value: the p-th percentile (numpy's "linear") of every activation of the rows fitted on.</param>
[OodHeadKind("react")]
public sealed record ReActSettings(double Percentile, float Clip) : OodHeadSettings;

/// <summary>
/// ReAct, rectified activations (Sun et al., NeurIPS 2021; OpenOOD <c>react_postprocessor</c> and
/// <c>networks/react_net.py</c>): the energy -log sum exp(W min(h, c) + b) of the classifier's logits on features clipped
/// at c, the p-th percentile of the in-distribution activations. Higher means more likely out-of-distribution (OpenOOD
/// returns the negation).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: it reads the feature column once for the clip value |
/// | Input column data type | Known-sized vector of <xref:System.Single> (penultimate features, D wide) |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// c is the percentile of all N x D activations of the rows Fit reads, flattened, interpolated linearly between the two
/// nearest ranks as numpy's <c>np.percentile</c> does (OpenOOD fits on its ID validation split: fit on held-out ID rows
/// where you have them). Fit holds those activations once (4 N D bytes) and selects the two ranks in place; more than
/// about 2^31 activations is an error that says to fit on a sample. NaN or infinite training values are an error.
/// Create it with <c>ml.Ood().ReAct(...)</c>; see <see cref="FeatureHeadEstimator{TSettings}"/>.
/// </remarks>
public sealed class ReActEstimator : FeatureHeadEstimator<ReActSettings>
{
    internal ReActEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, OodClassifierLayer layer, double percentile,
        OodExecutionOptions? execution)
        : base(catalog, outputColumnName, inputColumnName, layer, execution)
        => Percentile = FeaturePercentile.Checked(percentile);

    /// <summary>p, the percentile of the training activations that becomes the clip value.</summary>
    public double Percentile { get; }

    private protected override FittedHead<ReActSettings> FitHead(IDataView trainingData, int inputSize)
    {
        var host = Catalog.Environment.Register(nameof(ReActEstimator));
        float[] activations = ReadActivations(host, trainingData, inputSize);
        float clip = (float)ActivationPercentile.Linear(activations, Percentile);
        using (var channel = host.Start("ReAct"))
        {
            channel.Info(MessageSensitivity.None,
                $"ReAct: clip value {clip:R}, the {Percentile}th percentile of {activations.LongLength:N0} activations of '{InputColumnName}'.");
        }
        return new(new ReActSettings(Percentile, clip), g => g.Energy(Logits(g, g.Clip(g.Input, clip))));
    }

    /// <summary>
    /// Every activation, in one array: in chunks while the rows stream by (their count is not always known), then moved
    /// chunk by chunk into one array, so that at most one chunk is held twice.
    /// </summary>
    private float[] ReadActivations(IHost host, IDataView data, int width)
    {
        const int ChunkValues = 1 << 20;
        var chunks = new List<float[]>();
        int filled = ChunkValues;
        long total = 0;
        TrainingRows.Read(host, data, InputColumnName, null, (row, _) =>
        {
            foreach (float value in row)
            {
                if (filled == ChunkValues)
                {
                    chunks.Add(new float[ChunkValues]);
                    filled = 0;
                }

                chunks[^1][filled++] = value;
            }
            total += width;
        });
        if (total == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.ReActNoRows, InputColumnName));
        }

        if (total > Array.MaxLength)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.ReActTooManyActivations, InputColumnName, total));
        }

        var all = new float[total];
        for (int i = 0; i < chunks.Count; i++)
        {
            int count = (int)Math.Min(ChunkValues, total - (long)i * ChunkValues);
            chunks[i].AsSpan(0, count).CopyTo(all.AsSpan(i * ChunkValues));
            chunks[i] = [];
        }
        return all;
    }
}
