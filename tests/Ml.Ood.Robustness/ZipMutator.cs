using System.Buffers.Binary;
using System.IO.Compression;
using Google.Protobuf;
using Ml.Ood.Transforms.Onnx.Protos;

namespace Ml.Ood.Robustness;

/// <summary>
/// Damages a saved model the ways files get damaged: raw bytes (bit flips, overwritten bytes, zeroed runs,
/// truncation), and, through a tool that rewrites the .zip with valid CRCs, its entries (a head's bytes or settings
/// changed, an entry duplicated, dropped or renamed).
/// </summary>
internal static class ZipMutator
{
    public static (string What, byte[] Bytes) Mutate(byte[] zip, Random random)
    {
        int kind = random.Next(10);
        return kind switch
        {
            0 or 1 => FlipBits(zip, random),
            2 => Overwrite(zip, random),
            3 => ZeroRun(zip, random),
            4 => Truncate(zip, random),
            5 or 6 => Rezip(zip, random, FlipHeadBit),
            7 => Rezip(zip, random, ChangeHeadSetting),
            _ => RezipEntries(zip, random),
        };
    }

    private static (string, byte[]) FlipBits(byte[] zip, Random random)
    {
        var bytes = (byte[])zip.Clone();
        int flips = 1 + random.Next(4);
        var positions = new List<int>();
        for (int i = 0; i < flips; i++)
        {
            int position = random.Next(bytes.Length);
            bytes[position] ^= (byte)(1 << random.Next(8));
            positions.Add(position);
        }
        return ($"bit flips at {string.Join(", ", positions)}", bytes);
    }

    private static (string, byte[]) Overwrite(byte[] zip, Random random)
    {
        var bytes = (byte[])zip.Clone();
        int position = random.Next(bytes.Length);
        bytes[position] = (byte)random.Next(256);
        return ($"byte {position} overwritten", bytes);
    }

    private static (string, byte[]) ZeroRun(byte[] zip, Random random)
    {
        var bytes = (byte[])zip.Clone();
        int length = 16 + random.Next(240), position = random.Next(bytes.Length);
        Array.Clear(bytes, position, Math.Min(length, bytes.Length - position));
        return ($"{length} bytes zeroed at {position}", bytes);
    }

    private static (string, byte[]) Truncate(byte[] zip, Random random)
    {
        int length = random.Next(zip.Length);
        return ($"truncated to {length} bytes", zip[..length]);
    }

    /// <summary>Rewrites the .zip with one head's ONNX model changed by <paramref name="change"/>; CRCs are recomputed.</summary>
    private static (string, byte[]) Rezip(byte[] zip, Random random, Func<byte[], Random, (string, byte[])> change)
    {
        var entries = ReadEntries(zip);
        var heads = entries.Where(e => e.Name.EndsWith("/OnnxModel", StringComparison.Ordinal) && IsHead(e.Bytes)).ToList();
        var target = heads[random.Next(heads.Count)];
        var (what, model) = change(target.Bytes[4..], random);
        var prefixed = new byte[4 + model.Length];
        BinaryPrimitives.WriteInt32LittleEndian(prefixed, model.Length);
        model.CopyTo(prefixed, 4);
        var changed = entries.Select(e => e == target ? e with { Bytes = prefixed } : e).ToList();
        return ($"rezipped, {target.Name}: {what}", WriteEntries(changed));
    }

    private static (string, byte[]) FlipHeadBit(byte[] model, Random random)
    {
        var bytes = (byte[])model.Clone();
        int position = random.Next(bytes.Length);
        bytes[position] ^= (byte)(1 << random.Next(8));
        return ($"bit flipped at {position} of {bytes.Length}", bytes);
    }

    private static (string, byte[]) ChangeHeadSetting(byte[] model, Random random)
    {
        var parsed = ModelProto.Parser.ParseFrom(model);
        var settings = parsed.MetadataProps.Where(p => p.Key.StartsWith("mlood.", StringComparison.Ordinal) && p.Key != "mlood.sha256").ToList();
        var setting = settings[random.Next(settings.Count)];
        string before = $"{setting.Key}={setting.Value}";
        if (random.Next(2) == 0)
        {
            setting.Key += "x";
        }
        else
        {
            setting.Value = setting.Value.Length > 0 && random.Next(2) == 0 ? setting.Value[..^1] : setting.Value + "1";
        }

        return ($"setting {before} -> {setting.Key}={setting.Value}", parsed.ToByteArray());
    }

    private static (string, byte[]) RezipEntries(byte[] zip, Random random)
    {
        var entries = ReadEntries(zip);
        int index = random.Next(entries.Count);
        var entry = entries[index];
        switch (random.Next(3))
        {
            case 0:
                entries.Insert(index + 1, entry);
                return ($"rezipped, {entry.Name} duplicated", WriteEntries(entries));
            case 1:
                entries.RemoveAt(index);
                return ($"rezipped, {entry.Name} dropped", WriteEntries(entries));
            default:
                entries[index] = entry with { Name = entry.Name + "_" };
                return ($"rezipped, {entry.Name} renamed", WriteEntries(entries));
        }
    }

    private static bool IsHead(byte[] prefixed)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(prefixed.AsSpan(4).ToArray()).MetadataProps.Any(p => p.Key == "mlood.head");
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private sealed record Entry(string Name, byte[] Bytes);

    private static List<Entry> ReadEntries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.Select(e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return new Entry(e.FullName, copy.ToArray());
        }).ToList();
    }

    private static byte[] WriteEntries(IEnumerable<Entry> entries)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                using var stream = archive.CreateEntry(entry.Name).Open();
                stream.Write(entry.Bytes);
            }
        }
        return output.ToArray();
    }
}
