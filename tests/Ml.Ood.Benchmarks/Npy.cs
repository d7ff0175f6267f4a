using System.Text;
using System.Text.RegularExpressions;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Reads and writes the .npy files the Python peer (../shared/bench) exchanges: little-endian float32 or
/// float64 arrays in C order, version 1.0 headers. Only what the benchmarks need.
/// </summary>
internal static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static (float[] Data, int[] Shape) ReadFloat32(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (!reader.ReadBytes(6).AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a .npy file.");
        byte major = reader.ReadByte();
        reader.ReadByte();
        int headerLength = major == 1 ? reader.ReadUInt16() : (int)reader.ReadUInt32();
        string header = Encoding.ASCII.GetString(reader.ReadBytes(headerLength));
        if (!header.Contains("'descr': '<f4'") || header.Contains("'fortran_order': True"))
            throw new InvalidDataException($"{path}: expected little-endian float32 in C order, got {header.Trim()}.");
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        var data = new float[shape.Aggregate(1L, (a, d) => a * d)];
        reader.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        return (data, shape);
    }

    public static void WriteFloat64(string path, ReadOnlySpan<double> values)
    {
        string header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({values.Length},), }}";
        // The header, with its 10-byte preamble, is padded with spaces to a multiple of 64 and ends in a newline.
        int padded = (10 + header.Length + 1 + 63) / 64 * 64 - 10;
        header = header.PadRight(padded - 1) + "\n";
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Magic);
        writer.Write((byte)1);
        writer.Write((byte)0);
        writer.Write((ushort)header.Length);
        writer.Write(Encoding.ASCII.GetBytes(header));
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
