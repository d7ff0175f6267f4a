using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Transforms;

namespace Ml.Ood.Trainers;

/// <summary>
/// The "unknown" decision: fits on in-distribution rows the threshold t that keeps the requested fraction of
/// them (score &lt;= t counts as in-distribution, as in FPR@95TPR), and writes <see langword="true"/> (OOD) when a
/// row's score is above t, NaN or infinite.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: one pass over the score column of in-distribution rows |
/// | Input column data type | <xref:System.Single> OOD score (higher = more likely OOD) |
/// | Output column data type | <xref:System.Boolean> (true = out-of-distribution) |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// t is the smallest training score such that at least a fraction <see cref="IdTruePositiveRate"/> of the
/// training scores are &lt;= t, i.e. the ceil(rate * n)-th smallest score. Fit it on held-out ID data, not on
/// the rows another head was fitted on. The fitted value is saved with the model and read with
/// <c>transformer.Head.GetSingle("threshold")</c>. NaN training scores are an error. The decision fails closed: a
/// row is in-distribution only when its score is a finite number &lt;= t, so a NaN or infinite score (an upstream
/// failure, an overflow) is out-of-distribution. Create it with <c>ml.Ood().Threshold(...)</c>.
/// </remarks>
public sealed class ThresholdEstimator : OodHeadEstimator
{
    /// <summary>The name of the fitted threshold in <see cref="OodHeadInfo.Parameters"/>.</summary>
    public const string ThresholdParameter = ThresholdHeadGraph.ThresholdName;

    internal ThresholdEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, double idTruePositiveRate,
        int? gpuDeviceId, bool? fallbackToCpu, int? blockSize)
        : base(catalog, outputColumnName, inputColumnName, gpuDeviceId, fallbackToCpu, blockSize)
    {
        if (!(idTruePositiveRate > 0 && idTruePositiveRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(idTruePositiveRate), idTruePositiveRate, "The ID true positive rate must be in (0, 1].");
        IdTruePositiveRate = idTruePositiveRate;
    }

    /// <summary>The fraction of in-distribution rows the threshold keeps as in-distribution (default 0.95).</summary>
    public double IdTruePositiveRate { get; }

    private protected override OodHeadOutputKind OutputKind => OodHeadOutputKind.Decision;

    private protected override bool InputIsScalar => true;

    private protected override OodHeadModel BuildModel(IDataView trainingData, int inputSize)
    {
        float threshold = Calibrate(trainingData);
        using (var channel = Catalog.Environment.Register(nameof(ThresholdEstimator)).Start("Threshold"))
            channel.Info(MessageSensitivity.None, $"Threshold on '{InputColumnName}': {threshold:R} keeps {IdTruePositiveRate:P1} of the ID rows.");

        var parameters = new Dictionary<string, string>
        {
            [ThresholdParameter] = threshold.ToString("R", CultureInfo.InvariantCulture),
            ["id_true_positive_rate"] = IdTruePositiveRate.ToString("R", CultureInfo.InvariantCulture),
        };
        return ThresholdHeadGraph.Build(Describe(ThresholdHeadGraph.Kind, inputSize, parameters), threshold);
    }

    private float Calibrate(IDataView data)
    {
        var column = data.Schema[InputColumnName];
        var scores = new List<float>();
        using (var cursor = data.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<float>(column);
            float score = 0;
            while (cursor.MoveNext())
            {
                getter(ref score);
                if (float.IsNaN(score))
                    throw new ArgumentException($"Column '{InputColumnName}' has a NaN score in row {scores.Count}; the threshold needs scores for every ID row.", nameof(data));
                scores.Add(score);
            }
        }
        if (scores.Count == 0)
            throw new InvalidOperationException($"Column '{InputColumnName}' has no rows: the threshold needs in-distribution scores to calibrate on.");
        scores.Sort();
        int index = (int)Math.Ceiling(IdTruePositiveRate * scores.Count - 1e-9) - 1;
        return scores[Math.Clamp(index, 0, scores.Count - 1)];
    }
}
