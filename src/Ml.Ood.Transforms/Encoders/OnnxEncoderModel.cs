using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Transforms.Onnx;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood;

/// <summary>
/// A user's ONNX encoder as MlOod runs and saves it: the model's bytes with MlOod's description appended to its
/// <c>metadata_props</c> (<see cref="EncoderKey"/>, the input and output names) and sealed with a content hash
/// (<see cref="HeadIntegrity"/>), and the shape of every input and output it uses. The graph itself is the user's, byte
/// for byte: ONNX Runtime and ML.NET's OnnxTransformer ignore metadata.
/// </summary>
internal sealed class OnnxEncoderModel
{
    /// <summary>Marks an encoder saved by MlOod; the value is the format's version.</summary>
    public const string EncoderKey = "mlood.encoder";

    /// <summary>The input names, a JSON array.</summary>
    public const string InputsKey = "mlood.encoder.inputs";

    /// <summary>The output names, a JSON array.</summary>
    public const string OutputsKey = "mlood.encoder.outputs";

    private const string FormatVersion = "1";

    private OnnxEncoderModel(byte[] bytes, EncoderTensor[] inputs, EncoderTensor[] outputs)
    {
        Bytes = bytes;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The sealed model.</summary>
    public byte[] Bytes { get; }

    /// <summary>The inputs, in the order of the input column names.</summary>
    public EncoderTensor[] Inputs { get; }

    /// <summary>The outputs, in the order of the output column names.</summary>
    public EncoderTensor[] Outputs { get; }

    public string[] InputNames => [.. Inputs.Select(t => t.Name)];

    public string[] OutputNames => [.. Outputs.Select(t => t.Name)];

    /// <summary>The output columns, quoted, for messages.</summary>
    public string Describe() => string.Join(", ", Outputs.Select(t => $"'{t.Name}'"));

    /// <summary>Reads a user's model, checks its signature against the names asked for, and seals it.</summary>
    /// <exception cref="ArgumentException">The model cannot be run in blocks of rows with these names.</exception>
    public static OnnxEncoderModel FromFile(string modelFile, string[] inputs, string[] outputs)
    {
        byte[] user = File.ReadAllBytes(modelFile);
        var metadata = ReadMetadata(user);
        if (metadata.ContainsKey(OodHeadInfo.HeadKey))
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.EncoderIsHead, modelFile), nameof(modelFile));
        }

        if (metadata.ContainsKey(EncoderKey))
        {
            // A model MlOod sealed before (read back from a saved pipeline): whole, and described with these names.
            var saved = FromSealed(user, OodErrors.Format(OodErrors.EncoderSubject, string.Join(", ", outputs)));
            if (!saved.InputNames.SequenceEqual(inputs) || !saved.OutputNames.SequenceEqual(outputs))
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.SavedEncoderColumnsMismatch, saved.Describe(),
                    string.Join(", ", [.. saved.InputNames, .. saved.OutputNames]), string.Join(", ", [.. inputs, .. outputs])), nameof(modelFile));
            }

            return saved;
        }

        byte[] bytes = Seal(user, inputs, outputs);
        var (inputTensors, outputTensors) = EncoderTensor.ReadSignature(bytes, inputs, outputs);
        return new OnnxEncoderModel(bytes, inputTensors, outputTensors);
    }

    /// <summary>
    /// Reads back a model MlOod sealed: its hash must match and its description must be readable.
    /// </summary>
    /// <exception cref="InvalidDataException">The model was altered or damaged.</exception>
    public static OnnxEncoderModel FromSealed(byte[] bytes, string what)
    {
        using (var stream = new MemoryStream(bytes, writable: false))
        {
            CheckHash(stream, bytes.Length, what);
        }

        var metadata = ReadMetadata(bytes);
        string[] inputs = Names(metadata, InputsKey);
        string[] outputs = Names(metadata, OutputsKey);
        try
        {
            var (inputTensors, outputTensors) = EncoderTensor.ReadSignature(bytes, inputs, outputs);
            return new OnnxEncoderModel(bytes, inputTensors, outputTensors);
        }
        catch (Exception e) when (e is ArgumentException or OnnxRuntimeException)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.EncoderNotValidOnnx, what, e.Message), e);
        }
    }

    /// <summary>
    /// Checks a sealed model's content hash, which every encoder MlOod saves has: one without is refused, not trusted.
    /// </summary>
    /// <exception cref="InvalidDataException">The hash is missing or does not match.</exception>
    public static void CheckHash(Stream model, long length, string what)
    {
        if (HeadIntegrity.Check(model, length, what) != HeadIntegrity.Result.Verified)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.SavedEncoderUnhashed, what));
        }
    }

    /// <summary>The model's <c>metadata_props</c>.</summary>
    public static Dictionary<string, string> ReadMetadata(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return OnnxModelStructure.ReadMetadata(stream, bytes.Length);
    }

    /// <summary>
    /// Appends MlOod's description, then the content hash: protobuf lets repeated fields (metadata_props) follow the rest
    /// of the message, so the bytes before them, the user's whole model, stay as they were.
    /// </summary>
    private static byte[] Seal(byte[] user, string[] inputs, string[] outputs)
    {
        using var described = new MemoryStream(user.Length + 256);
        described.Write(user);
        Append(described, EncoderKey, FormatVersion);
        Append(described, InputsKey, JsonSerializer.Serialize(inputs));
        Append(described, OutputsKey, JsonSerializer.Serialize(outputs));
        return HeadIntegrity.Seal(described.ToArray());
    }

    private static void Append(Stream model, string key, string value)
    {
        byte[] entry = new StringStringEntryProto { Key = key, Value = value }.ToByteArray();
        ProtobufWire.WriteTag(model, ModelProto.MetadataPropsFieldNumber, ProtobufWire.LengthDelimited);
        ProtobufWire.WriteVarint(model, (ulong)entry.Length);
        model.Write(entry);
    }

    /// <summary>The output columns a sealed model's description names, quoted, for messages about a model that may be damaged.</summary>
    public static string DescribeOutputs(Dictionary<string, string> metadata)
    {
        try
        {
            return string.Join(", ", Names(metadata, OutputsKey).Select(n => $"'{n}'"));
        }
        catch (InvalidDataException)
        {
            return "?";
        }
    }

    private static string[] Names(Dictionary<string, string> metadata, string key)
    {
        string value = metadata.GetValueOrDefault(key) ?? "";
        try
        {
            var names = JsonSerializer.Deserialize<string[]>(value);
            if (names is { Length: > 0 } && names.All(n => !string.IsNullOrEmpty(n)))
            {
                return names;
            }
        }
        catch (JsonException)
        {
        }
        throw new InvalidDataException(OodErrors.Format(OodErrors.SavedEncoderSettingInvalid, key, value));
    }
}
