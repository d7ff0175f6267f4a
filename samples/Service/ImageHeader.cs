using System.Buffers.Binary;

namespace Ml.Ood.Service;

/// <summary>
/// An image's size read from its header before anything is decoded, so that a small file claiming a huge image (a
/// decompression bomb) is refused without the decoder allocating it: PNG's IHDR (PNG specification 11.2.2) and JPEG's
/// start-of-frame segment (ITU T.81 B.2.2).
/// </summary>
internal static class ImageHeader
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool IsPng(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Png);

    public static bool IsJpeg(ReadOnlySpan<byte> bytes) => bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;

    /// <summary>The width and height the header states, or null when there is no readable header.</summary>
    public static (int Width, int Height)? Size(ReadOnlySpan<byte> bytes)
    {
        if (IsPng(bytes))
        {
            // Signature, then the IHDR chunk: length (4), "IHDR", width and height (big-endian).
            return bytes.Length >= 24 && bytes.Slice(12, 4).SequenceEqual("IHDR"u8)
                ? (BinaryPrimitives.ReadInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadInt32BigEndian(bytes[20..]))
                : null;
        }
        return IsJpeg(bytes) ? JpegSize(bytes) : null;
    }

    private static (int, int)? JpegSize(ReadOnlySpan<byte> bytes)
    {
        int at = 2;
        while (at + 4 <= bytes.Length)
        {
            if (bytes[at] != 0xFF)
            {
                return null;
            }

            byte marker = bytes[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte
                continue;
            }
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 2)..]);
            // SOF0-SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return at + 9 <= bytes.Length
                    ? (BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 5)..]))
                    : null;
            }
            if (length < 2)
            {
                return null;
            }

            at += 2 + length;
        }
        return null;
    }
}
