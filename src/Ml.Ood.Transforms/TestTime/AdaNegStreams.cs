using System.Runtime.InteropServices;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// The saved AdaNeg state's arrays and checks: values are little-endian, as <see cref="BinaryWriter"/> writes them; a
/// failed check is a <see cref="FormatException"/>, which <see cref="TestTimeStates.Read"/> reports as a corrupt state.
/// </summary>
internal static class AdaNegStreams
{
    /// <summary>The most values one saved array may claim (1 GiB of floats), so a corrupt size cannot exhaust memory.</summary>
    public const long MaxValues = 1L << 28;

    public static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new FormatException(OodErrors.Format(OodErrors.AdaNegStateInvalid, what));
        }
    }

    public static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            writer.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        foreach (float v in values)
        {
            writer.Write(v);
        }
    }

    /// <summary>Reads <paramref name="count"/> finite floats.</summary>
    public static float[] ReadFloats(BinaryReader reader, int count, string what)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = reader.ReadSingle();
            if (!float.IsFinite(values[i]))
            {
                Require(false, $"{what} hold a value that is not finite at {i}");
            }
        }
        return values;
    }
}
