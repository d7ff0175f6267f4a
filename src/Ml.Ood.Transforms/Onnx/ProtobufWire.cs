namespace Ml.Ood.Transforms.Onnx;

/// <summary>
/// The protobuf wire format read and written field by field on streams. Written by hand because Google.Protobuf
/// only reads a length-delimited field whole into memory (a ByteString), and a head's largest field (a KNN bank)
/// must go from a zip entry to a file without a managed copy.
/// </summary>
internal static class ProtobufWire
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    /// <summary>Reads the next tag, or returns false when <paramref name="end"/> is reached.</summary>
    public static bool TryReadTag(Stream input, ref long position, long end, out int field, out int wireType)
    {
        field = wireType = 0;
        if (position >= end)
        {
            return false;
        }

        ulong tag = ReadVarint(input, ref position);
        if (tag >> 3 is 0 or > int.MaxValue)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.ProtobufInvalidTag, tag));
        }

        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return true;
    }

    /// <summary>Reads the length of a length-delimited field whose tag was just read.</summary>
    public static long ReadLength(Stream input, ref long position)
    {
        ulong length = ReadVarint(input, ref position);
        if (length > long.MaxValue / 2)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.ProtobufImpossibleLength, length));
        }

        return (long)length;
    }

    /// <summary>Checks that a nested message ended exactly where its length said.</summary>
    public static void CheckEnd(long position, long end)
    {
        if (position != end)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.ProtobufMessageOverrun, position - end));
        }
    }

    public static ulong ReadVarint(Stream input, ref long position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            int b = input.ReadByte();
            if (b < 0)
            {
                throw Truncated();
            }

            position++;
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException(OodErrors.ProtobufMalformedVarint);
    }

    /// <summary>The payload size of a field whose tag was just read (varints excluded: they are read, not sized).</summary>
    public static long PayloadLength(Stream input, ref long position, int wireType) => wireType switch
    {
        LengthDelimited => ReadLength(input, ref position),
        Fixed64 => 8,
        Fixed32 => 4,
        _ => throw new InvalidDataException(OodErrors.Format(OodErrors.ProtobufUnsupportedWireType, wireType)),
    };

    /// <summary>Copies the field whose tag was just read, tag included, to <paramref name="output"/>.</summary>
    public static void CopyField(Stream input, ref long position, Stream output, int field, int wireType)
    {
        WriteTag(output, field, wireType);
        if (wireType == Varint)
        {
            WriteVarint(output, ReadVarint(input, ref position));
            return;
        }
        long length = PayloadLength(input, ref position, wireType);
        if (wireType == LengthDelimited)
        {
            WriteVarint(output, (ulong)length);
        }

        CopyBytes(input, output, length);
        position += length;
    }

    /// <summary>Skips the field whose tag was just read, seeking where the stream allows it.</summary>
    public static void SkipField(Stream input, ref long position, int wireType)
    {
        if (wireType == Varint)
        {
            ReadVarint(input, ref position);
            return;
        }
        long length = PayloadLength(input, ref position, wireType);
        if (input.CanSeek)
        {
            input.Seek(length, SeekOrigin.Current);
        }
        else
        {
            CopyBytes(input, Stream.Null, length);
        }

        position += length;
    }

    /// <summary>Reads a payload into memory; a length beyond the end of a damaged model is refused before allocating it.</summary>
    public static byte[] ReadBytes(Stream input, ref long position, long length)
    {
        if (length > Array.MaxLength || (input.CanSeek && input.Position + length > input.Length))
        {
            throw Truncated();
        }

        var bytes = new byte[length];
        try
        {
            input.ReadExactly(bytes);
        }
        catch (EndOfStreamException)
        {
            throw Truncated();
        }
        position += length;
        return bytes;
    }

    public static void CopyBytes(Stream input, Stream output, long length)
    {
        var buffer = new byte[(int)Math.Min(length, 1 << 16)];
        while (length > 0)
        {
            int read = input.Read(buffer, 0, (int)Math.Min(length, buffer.Length));
            if (read == 0)
            {
                throw Truncated();
            }

            output.Write(buffer, 0, read);
            length -= read;
        }
    }

    public static void WriteTag(Stream output, int field, int wireType) => WriteVarint(output, ((ulong)field << 3) | (uint)wireType);

    public static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }

    /// <summary>Writes a length-delimited field whose payload sits in <paramref name="payload"/>.</summary>
    public static void WriteMessage(Stream output, int field, MemoryStream payload)
    {
        WriteTag(output, field, LengthDelimited);
        WriteVarint(output, (ulong)payload.Length);
        payload.Position = 0;
        payload.CopyTo(output);
    }

    private static InvalidDataException Truncated() => new(OodErrors.ProtobufTruncated);
}
