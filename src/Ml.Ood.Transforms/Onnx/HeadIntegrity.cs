using System.Security.Cryptography;
using Google.Protobuf;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Transforms.Onnx;

/// <summary>
/// A head's content hash: the SHA-256 of its serialized ONNX model, stored in the model itself as its last field (a
/// <c>metadata_props</c> entry <see cref="HashKey"/>), so that the hash covers every byte before it (graph, fitted
/// state, every other <c>mlood.*</c> setting) and can be checked while the model streams by, without parsing it.
/// </summary>
/// <remarks>
/// A .zip's CRC-32s catch damage to a file, but not a tool that rewrites the .zip (and its CRCs) after changing a
/// head; and a head whose bank or settings changed silently would score silently wrong. Protobuf lets a repeated field
/// be appended after the rest of a message, and Google.Protobuf writes metadata_props (field 14) after every other
/// field MlOod sets, so a head parsed and written again keeps the entry last and the bytes before it unchanged.
/// </remarks>
internal static class HeadIntegrity
{
    public const string HashKey = "mlood.sha256";

    private const int MetadataField = ModelProto.MetadataPropsFieldNumber;

    /// <summary>What <see cref="Check"/> found.</summary>
    public enum Result
    {
        /// <summary>The stored hash matches the model.</summary>
        Verified,

        /// <summary>The model has no hash (a head saved by an MlOod version before hashes).</summary>
        Missing,
    }

    /// <summary>The model with its hash appended.</summary>
    public static byte[] Seal(byte[] model)
    {
        var entry = new StringStringEntryProto { Key = HashKey, Value = Convert.ToHexStringLower(SHA256.HashData(model)) }.ToByteArray();
        using var sealedModel = new MemoryStream(model.Length + entry.Length + 8);
        sealedModel.Write(model);
        ProtobufWire.WriteTag(sealedModel, MetadataField, ProtobufWire.LengthDelimited);
        ProtobufWire.WriteVarint(sealedModel, (ulong)entry.Length);
        sealedModel.Write(entry);
        return sealedModel.ToArray();
    }

    /// <summary>
    /// Checks the hash of the <paramref name="length"/>-byte model at the start of the seekable <paramref name="model"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The hash does not match, or is not the model's last field.</exception>
    public static Result Check(Stream model, long length, string what)
    {
        try
        {
            return CheckCore(model, length, what);
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or EndOfStreamException
            || (e is InvalidDataException && !e.Message.StartsWith(what, StringComparison.Ordinal)))
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.HeadNotReadableOnnx, what, e.Message), e);
        }
    }

    private static Result CheckCore(Stream model, long length, string what)
    {
        long position = 0, lastStart = -1;
        bool hashSeen = false;
        string? storedHash = null;
        model.Position = 0;
        while (true)
        {
            long start = position;
            if (!ProtobufWire.TryReadTag(model, ref position, length, out int field, out int wireType))
            {
                break;
            }

            lastStart = start;
            storedHash = null;
            if (field == MetadataField && wireType == ProtobufWire.LengthDelimited)
            {
                var entry = StringStringEntryProto.Parser.ParseFrom(ProtobufWire.ReadBytes(model, ref position, ProtobufWire.ReadLength(model, ref position)));
                if (entry.Key == HashKey)
                {
                    if (hashSeen)
                    {
                        throw new InvalidDataException(OodErrors.Format(OodErrors.ContentHashTwice, what));
                    }

                    hashSeen = true;
                    storedHash = entry.Value;
                }
            }
            else
            {
                ProtobufWire.SkipField(model, ref position, wireType);
            }
        }
        ProtobufWire.CheckEnd(position, length);
        if (!hashSeen)
        {
            return Result.Missing;
        }

        if (storedHash is null)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.ContentHashNotLast, what));
        }

        model.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        for (long left = lastStart; left > 0;)
        {
            int read = model.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                throw new InvalidDataException(OodErrors.Format(OodErrors.ContentHashTruncated, what));
            }

            hash.AppendData(buffer, 0, read);
            left -= read;
        }
        string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(actual, storedHash, StringComparison.Ordinal))
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.ContentHashMismatch, what));
        }

        return Result.Verified;
    }
}
