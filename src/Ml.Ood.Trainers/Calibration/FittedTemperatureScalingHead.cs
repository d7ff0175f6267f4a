using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Trainers.Data;

namespace Ml.Ood;

/// <summary>
/// Temperature scaling (Guo et al., ICML 2017; OpenOOD <c>temp_scaling_postprocessor</c>) with T fitted on labelled
/// in-distribution validation rows, the rows passed to Fit: T minimises their mean negative log-likelihood of
/// softmax(z / T), and the head scores -max_c softmax(z / T)_c. Higher means more likely out-of-distribution (OpenOOD
/// returns the confidence, max softmax(z / T)).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ### Estimator characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: one pass over the logits and label columns |
/// | Input column data type | Known-sized vector of <xref:System.Single> (logits); label: a key or a whole number of any ML.NET number type |
/// | Output column data type | <xref:System.Single> |
/// | Required NuGet in addition to Ml.Ood.Trainers | Microsoft.ML.OnnxRuntime (CPU) or Microsoft.ML.OnnxRuntime.Gpu |
/// ]]></format>
/// The fit is exact, not a fixed number of optimiser steps: the NLL is convex in 1 / T, and Newton's method safeguarded by
/// bisection runs in double until 1 / T is known to about 1e-14 relative (OpenOOD's LBFGS, 50 steps from T = 1.5, stops
/// short of the optimum). The head is the one <c>ml.Ood().TemperatureScaling(output, logits, temperature)</c> makes with
/// that T; <c>GetSettings&lt;TemperatureScalingSettings&gt;()</c> reports T, the label column, the rows used and the
/// validation NLL. Labels are 0-based classes in the logits' order (a key k is class k - 1), all below the logits' width.
/// Fit on rows the classifier was not trained on: on its own training rows the logits are overconfident and T comes out
/// too small. Fit throws <see cref="InvalidOperationException"/> when no temperature minimises the NLL: when every row's
/// label is its row's largest logit (the NLL falls as T goes to 0, where the head would score every row -1, a detector
/// that never says "I don't know"), or when the logits do not rank the labels above the row mean on average (the NLL falls
/// as T grows without bound). A row with a NaN or infinite logit is an error while fitting and scores NaN afterwards.
/// Create it with <c>ml.Ood().TemperatureScaling(output, logits, labelColumnName)</c>.
/// </remarks>
public sealed class FittedTemperatureScalingEstimator : LabelledHeadEstimator<TemperatureScalingSettings>
{
    internal FittedTemperatureScalingEstimator(OodCatalog catalog, string outputColumnName, string inputColumnName, string labelColumnName,
        OodExecutionOptions? execution, bool allowProbabilities)
        : base(catalog, outputColumnName, inputColumnName, labelColumnName, execution)
    {
        AllowProbabilities = allowProbabilities;
    }

    /// <summary>Whether Fit accepts an input column that looks like probabilities (default <see langword="false"/>: it throws).</summary>
    public bool AllowProbabilities { get; }

    private protected override FittedHead<TemperatureScalingSettings> FitHead(IDataView trainingData, int inputSize)
    {
        ProbabilityInputCheck.ThrowIfProbabilities(trainingData, InputColumnName, "temperature scaling", AllowProbabilities);
        var host = Catalog.Environment.Register(nameof(FittedTemperatureScalingEstimator));
        var (logits, labels) = Read(host, trainingData, inputSize);
        if (labels.Length == 0)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.TemperatureNoRows, InputColumnName));
        }

        var fit = TemperatureFitter.Fit(logits, labels, inputSize);
        if (fit.Failure != TemperatureFitter.Failure.None)
        {
            string message = fit.Failure == TemperatureFitter.Failure.Separable ? OodErrors.TemperatureSeparable : OodErrors.TemperatureNoSignal;
            throw new InvalidOperationException(OodErrors.Format(message, InputColumnName, labels.Length, LabelColumnName));
        }

        // The head divides by the float nearest the optimum; report the NLL of that head, not of the double optimum.
        float temperature = (float)fit.Temperature;
        double nll = TemperatureFitter.NegativeLogLikelihood(logits, labels, inputSize, temperature);
        using (var channel = host.Start("Temperature scaling"))
        {
            double atOne = TemperatureFitter.NegativeLogLikelihood(logits, labels, inputSize, 1);
            channel.Info(MessageSensitivity.None, $"Temperature scaling: T = {temperature:R} from {labels.Length:N0} rows; validation NLL {nll:F6} (at T = 1: {atOne:F6}).");
        }

        var settings = new TemperatureScalingSettings(temperature, LabelColumnName, labels.Length, nll);
        return new(settings, g => TemperatureScalingEstimator.Formula(g, g.Input, temperature));
    }

    private (float[] Logits, int[] Labels) Read(IHost host, IDataView data, int classes)
    {
        var logits = new List<float>();
        var labels = new List<int>();
        TrainingRows.Read(host, data, InputColumnName, LabelColumnName, (row, label) =>
        {
            if (label >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(data), OodErrors.Format(OodErrors.TemperatureLabelBeyondLogits,
                    LabelColumnName, label, labels.Count, InputColumnName, classes, classes - 1));
            }

            logits.AddRange(row);
            labels.Add(label);
        });
        return (logits.ToArray(), labels.ToArray());
    }
}
