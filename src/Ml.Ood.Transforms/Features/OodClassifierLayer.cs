using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Ml.Ood;

/// <summary>
/// A classifier's last layer, logits = W h + b, read from the penultimate features h: what the feature heads (ReAct,
/// ASH, SCALE, ViM, ...) need besides the features. Immutable; made with <see cref="FromArrays(float[], float[], int, int)"/>,
/// <see cref="FromOnnx"/> (the encoder's own ONNX model) or <see cref="FromMlNet(LinearMulticlassModelParametersBase)"/>
/// (a trained ML.NET linear multiclass model), so that nobody copies weights by hand.
/// </summary>
public sealed class OodClassifierLayer
{
    private readonly float[] _weights;
    private readonly float[] _bias;

    private OodClassifierLayer(float[] weights, float[] bias, int classes, int features)
    {
        _weights = weights;
        _bias = bias;
        Classes = classes;
        Features = features;
    }

    /// <summary>The number of classes C (logits per row).</summary>
    public int Classes { get; }

    /// <summary>The number of features D the layer reads (the width of the penultimate-feature column).</summary>
    public int Features { get; }

    /// <summary>
    /// W, [C, D] row-major: <c>Weights[c * D + d]</c>, the layout of PyTorch's <c>nn.Linear.weight</c> and of ONNX's Gemm
    /// with transB = 1.
    /// </summary>
    public ReadOnlyMemory<float> Weights => _weights;

    /// <summary>b, [C].</summary>
    public ReadOnlyMemory<float> Bias => _bias;

    /// <summary>A layer from W ([C, D] row-major, as PyTorch's <c>nn.Linear.weight</c>) and b ([C]); the arrays are copied.</summary>
    /// <param name="weights">W, <paramref name="classes"/> x <paramref name="features"/> values, row-major (one row per class).</param>
    /// <param name="bias">b, one value per class.</param>
    /// <param name="classes">C, at least 1.</param>
    /// <param name="features">D, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count below 1, or an array of the wrong length.</exception>
    /// <exception cref="ArgumentException">A NaN or infinite value.</exception>
    public static OodClassifierLayer FromArrays(float[] weights, float[] bias, int classes, int features)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        CheckCount(classes, nameof(classes));
        CheckCount(features, nameof(features));
        long size = (long)classes * features;
        if (size > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(features), OodErrors.Format(OodErrors.LayerTooLarge, classes, features));
        }

        string shape = $"{classes} classes x {features} features";
        CheckLength(weights.Length, size, nameof(weights), shape);
        CheckLength(bias.Length, classes, nameof(bias), shape);
        CheckFinite(weights, nameof(weights));
        CheckFinite(bias, nameof(bias));
        return new OodClassifierLayer([.. weights], [.. bias], classes, features);
    }

    /// <summary>A layer from one weight row per class (each of D values) and b ([C]); the arrays are copied.</summary>
    /// <param name="weightRows">W as C rows of D values (the row of class c is what multiplies h into logit c).</param>
    /// <param name="bias">b, one value per class.</param>
    /// <exception cref="ArgumentOutOfRangeException">No rows, rows of unequal or zero length, or a bias of the wrong length.</exception>
    /// <exception cref="ArgumentException">A NaN or infinite value.</exception>
    public static OodClassifierLayer FromArrays(float[][] weightRows, float[] bias)
    {
        ArgumentNullException.ThrowIfNull(weightRows);
        CheckCount(weightRows.Length, "classes");
        int features = weightRows[0]?.Length ?? throw new ArgumentNullException(nameof(weightRows));
        CheckCount(features, "features");
        for (int c = 0; c < weightRows.Length; c++)
        {
            if ((weightRows[c] ?? throw new ArgumentNullException(nameof(weightRows))).Length != features)
            {
                throw new ArgumentOutOfRangeException(nameof(weightRows), OodErrors.Format(OodErrors.LayerRowLength, c, weightRows[c].Length, features));
            }
        }
        if ((long)weightRows.Length * features > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(weightRows), OodErrors.Format(OodErrors.LayerTooLarge, weightRows.Length, features));
        }

        return FromArrays([.. weightRows.SelectMany(r => r)], bias, weightRows.Length, features);
    }

    /// <summary>
    /// The linear layer that produces <paramref name="logitsOutputName"/> in an ONNX model: a Gemm (transA = 0, transB 0 or
    /// 1, any alpha and beta, with or without a bias), a MatMul followed by an Add of a constant (either order), or a MatMul
    /// alone (no bias), with its weights as initializers or Constant nodes (also through Identity). For a PyTorch
    /// classifier exported to ONNX, this is the <c>nn.Linear</c> the training script holds, read from the encoder itself.
    /// </summary>
    /// <param name="onnxPath">The ONNX model, e.g. the encoder that an <c>ApplyOnnxModel</c> step runs.</param>
    /// <param name="logitsOutputName">The graph output holding the logits, e.g. <c>logits</c>.</param>
    /// <exception cref="ArgumentException">The model has no such output (the message lists its outputs), the output is not
    /// produced by a linear layer (the message names the op that produces it), or its weights are not constants (external
    /// data, computed values, non-float types are refused).</exception>
    public static OodClassifierLayer FromOnnx(string onnxPath, string logitsOutputName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(onnxPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(logitsOutputName);
        var (weights, bias, classes, features) = OnnxLinearLayer.Read(onnxPath, logitsOutputName);
        return FromArrays(weights, bias, classes, features);
    }

    /// <summary>
    /// The weights and biases of a trained ML.NET linear multiclass model (SdcaNonCalibrated, SdcaMaximumEntropy,
    /// LbfgsMaximumEntropy, ...). Its Features column is h. A non-calibrated model's Score is W h + b itself; a maximum
    /// entropy model's Score is softmax(W h + b), and the layer is still W and b, the logits before that softmax.
    /// </summary>
    /// <param name="model">The model parameters, e.g. <c>transformer.Model</c> of a <c>MulticlassPredictionTransformer</c>.</param>
    public static OodClassifierLayer FromMlNet(LinearMulticlassModelParametersBase model)
    {
        ArgumentNullException.ThrowIfNull(model);
        VBuffer<float>[] rows = [];
        model.GetWeights(ref rows, out int classes);
        float[] bias = [.. model.GetBiases()];
        if (bias.Length != classes)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.LayerMlNetBiasCount, classes, bias.Length), nameof(model));
        }

        CheckCount(classes, "classes");
        int features = rows[0].Length;
        CheckCount(features, "features");
        var weights = new float[checked(classes * features)];
        for (int c = 0; c < classes; c++)
        {
            rows[c].CopyTo(weights, c * features);
        }
        return FromArrays(weights, bias, classes, features);
    }

    /// <summary>
    /// The layer of the last linear multiclass model in a fitted pipeline: a <c>MulticlassPredictionTransformer</c>, or a
    /// <c>TransformerChain</c> (searched from its end, nested chains included) that holds one.
    /// </summary>
    /// <param name="transformer">The fitted trainer or pipeline.</param>
    /// <exception cref="ArgumentException">No linear multiclass model in <paramref name="transformer"/>.</exception>
    public static OodClassifierLayer FromMlNet(ITransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return FromMlNet(FindLinearModel(transformer)
            ?? throw new ArgumentException(OodErrors.Format(OodErrors.LayerNoMlNetModel, transformer.GetType().Name), nameof(transformer)));
    }

    /// <summary>W^T, [D, C] row-major: the layout an ONNX MatMul of rows [batch, D] reads.</summary>
    internal float[] TransposedWeights()
    {
        var transposed = new float[_weights.Length];
        for (int c = 0; c < Classes; c++)
        {
            for (int d = 0; d < Features; d++)
            {
                transposed[d * Classes + c] = _weights[c * Features + d];
            }
        }
        return transposed;
    }

    private static LinearMulticlassModelParametersBase? FindLinearModel(ITransformer transformer)
    {
        if (transformer is ISingleFeaturePredictionTransformer<LinearMulticlassModelParametersBase> prediction)
        {
            return prediction.Model;
        }

        if (transformer is ISingleFeaturePredictionTransformer<object> { Model: LinearMulticlassModelParametersBase model })
        {
            return model;
        }

        if (transformer is IEnumerable<ITransformer> chain)
        {
            foreach (var part in chain.Reverse())
            {
                if (FindLinearModel(part) is { } found)
                {
                    return found;
                }
            }
        }
        return null;
    }

    private static void CheckCount(int count, string name)
    {
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(name, OodErrors.Format(OodErrors.LayerCountTooSmall, name, count));
        }
    }

    private static void CheckLength(int actual, long expected, string name, string shape)
    {
        if (actual != expected)
        {
            throw new ArgumentOutOfRangeException(name, OodErrors.Format(OodErrors.LayerArrayLength, name, expected, shape, actual));
        }
    }

    private static void CheckFinite(float[] values, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.LayerValueNotFinite, name, i, values[i]), name);
            }
        }
    }
}
