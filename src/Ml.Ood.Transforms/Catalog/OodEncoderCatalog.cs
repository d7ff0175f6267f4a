namespace Ml.Ood;

/// <summary>The batched ONNX encoder on <c>ml.Ood()</c>: ML.NET's <c>ApplyOnnxModel</c>, one ONNX Runtime call per block of rows.</summary>
public static class OodEncoderCatalog
{
    /// <summary>
    /// Runs an ONNX model (an image encoder) over blocks of rows, writing the same columns with the same values as ML.NET's
    /// <c>ml.Transforms.ApplyOnnxModel(outputColumnNames, inputColumnNames, modelFile)</c>, which runs one row per call.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Use it in place of ApplyOnnxModel in front of MlOod's heads: <c>Transform</c> encodes a block of rows per call, on
    /// every core (<see cref="OodExecutionOptions.BlockSize"/> rows per call, <see cref="OodExecutionOptions.Parallelism"/>
    /// calls at once; each cursor buffers BlockSize x Parallelism rows of every input and output, so lower BlockSize for
    /// large images). Column names are the model's input and output names, as in ApplyOnnxModel.
    /// </para>
    /// <para>
    /// The model's inputs and outputs must be float32 with a dynamic first (batch) dimension and fixed others; a model with
    /// a fixed batch of 1 is refused with the input's name and shape (re-export it with a dynamic batch axis, or keep
    /// ApplyOnnxModel). Saved models load with plain <c>ml.Model.Load</c> as ML.NET's ApplyOnnxModel, and with
    /// <c>ml.Ood().Load</c> as this batched encoder.
    /// </para>
    /// </remarks>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnNames">The model outputs to write, each a column of that name (e.g. "embedding", "logits").</param>
    /// <param name="inputColumnNames">The model inputs, each read from the column of that name: a known-size vector of Single
    /// with as many values as the input has per row (ExtractPixels' output for an image model).</param>
    /// <param name="modelFile">The .onnx file.</param>
    /// <param name="execution">Device, CPU fallback, block size and parallelism; null for the catalog's, then the MLContext's GPU settings.</param>
    /// <returns>The estimator; its transformer is an <see cref="OodOnnxEncoderTransformer"/>.</returns>
    /// <exception cref="ArgumentException">A name is missing or given twice, the model has no such input or output, does not
    /// name every model input, or has an input or output that is not float32 with a dynamic batch dimension.</exception>
    public static OodOnnxEncoderEstimator ApplyOnnxEncoder(this OodCatalog catalog, string[] outputColumnNames, string[] inputColumnNames,
        string modelFile, OodExecutionOptions? execution = null)
        => new(catalog, outputColumnNames, inputColumnNames, modelFile, execution);

    /// <summary>Runs an ONNX model with one input and one output over blocks of rows; see the overload with several columns.</summary>
    /// <param name="catalog">The MlOod catalog.</param>
    /// <param name="outputColumnName">The model output to write, as a column of that name.</param>
    /// <param name="inputColumnName">The model input, read from the column of that name.</param>
    /// <param name="modelFile">The .onnx file.</param>
    /// <param name="execution">Device, CPU fallback, block size and parallelism; null for the catalog's.</param>
    /// <returns>The estimator; its transformer is an <see cref="OodOnnxEncoderTransformer"/>.</returns>
    public static OodOnnxEncoderEstimator ApplyOnnxEncoder(this OodCatalog catalog, string outputColumnName, string inputColumnName,
        string modelFile, OodExecutionOptions? execution = null)
        => new(catalog, [outputColumnName], [inputColumnName], modelFile, execution);
}
