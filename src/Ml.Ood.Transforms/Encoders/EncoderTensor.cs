using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Ml.Ood;

/// <summary>One input or output of an ONNX encoder: float32, of shape [batch, <see cref="Dimensions"/>].</summary>
/// <param name="Name">The model's name for it, which is also its column's name.</param>
/// <param name="Dimensions">Its shape without the batch dimension.</param>
internal sealed record EncoderTensor(string Name, int[] Dimensions)
{
    /// <summary>Values per row.</summary>
    public int RowSize { get; } = Dimensions.Aggregate(1, (a, b) => checked(a * b));

    /// <summary>
    /// The column type ML.NET's ApplyOnnxModel gives the same output: a vector of Single whose dimensions are the output's,
    /// the batch dimension as 1 (measured with Microsoft.ML.OnnxTransformer 5.0.1: LeNet's [batch, 128] embedding is a
    /// Vector&lt;Single, 1, 128&gt;), so that a pipeline's schema is the same with either.
    /// </summary>
    public VectorDataViewType ColumnType => new(NumberDataViewType.Single, (int[])[1, .. Dimensions]);

    /// <summary>The shape as ONNX Runtime reports it, batch first (-1).</summary>
    public string DescribeShape() => string.Join(", ", [-1, .. Dimensions]);

    /// <summary>Reads and checks the signature of a model with a CPU session of its own, which is disposed at once.</summary>
    /// <exception cref="ArgumentException">The names or shapes do not fit a batched encoder.</exception>
    public static (EncoderTensor[] Inputs, EncoderTensor[] Outputs) ReadSignature(byte[] model, string[] inputs, string[] outputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        return ReadSignature(session, inputs, outputs);
    }

    /// <summary>
    /// The inputs and outputs named, in that order: each must exist, hold float32 and have a dynamic first dimension and
    /// fixed others; every input of the model must be named, since ONNX Runtime runs only with all of them.
    /// </summary>
    /// <exception cref="ArgumentException">The names or shapes do not fit a batched encoder.</exception>
    public static (EncoderTensor[] Inputs, EncoderTensor[] Outputs) ReadSignature(InferenceSession session, string[] inputs, string[] outputs)
    {
        var fed = session.InputMetadata.Keys.FirstOrDefault(name => !inputs.Contains(name));
        if (fed is not null)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.EncoderInputNotFed, fed, string.Join(", ", inputs)), "inputColumnNames");
        }

        return (Read(session.InputMetadata, inputs, "input"), Read(session.OutputMetadata, outputs, "output"));
    }

    private static EncoderTensor[] Read(IReadOnlyDictionary<string, NodeMetadata> metadata, string[] names, string side)
    {
        string parameter = side + "ColumnNames";
        var tensors = new EncoderTensor[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i];
            if (!metadata.TryGetValue(name, out var node))
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.EncoderNameNotInModel, side, name, string.Join(", ", metadata.Keys)), parameter);
            }

            if (node.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR || node.ElementType != typeof(float))
            {
                string actual = node.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR ? node.ElementType.Name : node.OnnxValueType.ToString();
                throw new ArgumentException(OodErrors.Format(OodErrors.EncoderTensorNotSingle, side, name, actual), parameter);
            }

            int[] shape = node.Dimensions;
            // ONNX Runtime reports a symbolic dimension (PyTorch's dynamic axis) as -1.
            if (shape.Length == 0 || shape[0] != -1)
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.EncoderFixedBatch, side, name, string.Join(", ", shape)), parameter);
            }

            if (shape.Skip(1).Any(d => d <= 0))
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.EncoderUnknownDimension, side, name, string.Join(", ", shape)), parameter);
            }

            tensors[i] = new EncoderTensor(name, shape[1..]);
        }
        return tensors;
    }
}
