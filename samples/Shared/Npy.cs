using System.Text;
using System.Text.RegularExpressions;

namespace Ml.Ood.Samples;

/// <summary>
/// Reads and writes the .npy files the Python peer (tests/Ml.Ood.Benchmarks/peer/peer.py) exchanges: little-endian arrays
/// in C order with version 1.0 headers. Only what the samples and benchmarks need; shared by both.
/// </summary>
internal static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static (float[] Data, int[] Shape) ReadFloat32(string path) => Read<float>(path, "<f4");

    public static (long[] Data, int[] Shape) ReadInt64(string path) => Read<long>(path, "<i8");

    private static (T[] Data, int[] Shape) Read<T>(string path, string descr) where T : unmanaged
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (!reader.ReadBytes(6).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not a .npy file.");
        }

        byte major = reader.ReadByte();
        reader.ReadByte();
        int headerLength = major == 1 ? reader.ReadUInt16() : (int)reader.ReadUInt32();
        string header = Encoding.ASCII.GetString(reader.ReadBytes(headerLength));
        if (!header.Contains($"'descr': '{descr}'") || header.Contains("'fortran_order': True"))
        {
            throw new InvalidDataException($"{path}: expected {descr} in C order, got {header.Trim()}.");
        }

        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        var data = new T[shape.Aggregate(1L, (a, d) => a * d)];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        return (data, shape);
    }

    public static void WriteFloat64(string path, ReadOnlySpan<double> values)
        => Write(path, "<f8", $"({values.Length},)", System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    public static void WriteFloat32(string path, ReadOnlySpan<float> values, int rows, int columns)
        => Write(path, "<f4", $"({rows}, {columns})", System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    public static void WriteInt64(string path, ReadOnlySpan<long> values)
        => Write(path, "<i8", $"({values.Length},)", System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    public static void WriteBool(string path, ReadOnlySpan<bool> values)
        => Write(path, "|b1", $"({values.Length},)", System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    private static void Write(string path, string descr, string shape, ReadOnlySpan<byte> payload)
    {
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        // The header, with its 10-byte preamble, is padded with spaces to a multiple of 64 and ends in a newline.
        int padded = (10 + header.Length + 1 + 63) / 64 * 64 - 10;
        header = header.PadRight(padded - 1) + "\n";
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Magic);
        writer.Write((byte)1);
        writer.Write((byte)0);
        writer.Write((ushort)header.Length);
        writer.Write(Encoding.ASCII.GetBytes(header));
        writer.Write(payload);
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
