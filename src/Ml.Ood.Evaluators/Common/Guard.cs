using System.Numerics;
using System.Runtime.InteropServices;

namespace Ml.Ood.Evaluators.Common;

/// <summary>Argument checks shared by the span-based metric functions; each names what it checks.</summary>
internal static class Guard
{
    public static void SameLength(int length, string name, int otherLength, string otherName)
    {
        if (length != otherLength)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.LengthMismatch, name, length, otherName, otherLength), name);
        }
    }

    public static void NotEmpty(int length, string name)
    {
        if (length == 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.NoRows, name), name);
        }
    }

    public static void AllFinite<T>(ReadOnlySpan<T> scores, string name)
        where T : struct, IFloatingPointIeee754<T>
    {
        // x - x is 0 for every finite x and NaN for NaN and both infinities: one SIMD test per block,
        // and a scalar pass only to name the first bad row.
        int i = 0;
        if (Vector.IsHardwareAccelerated && scores.Length >= Vector<T>.Count)
        {
            ReadOnlySpan<Vector<T>> blocks = MemoryMarshal.Cast<T, Vector<T>>(scores);
            foreach (Vector<T> v in blocks)
            {
                if (!Vector.EqualsAll(v - v, Vector<T>.Zero))
                {
                    break;
                }

                i += Vector<T>.Count;
            }
        }

        for (; i < scores.Length; i++)
        {
            T s = scores[i];
            if (s - s != T.Zero)
            {
                throw NonFinite(name, i);
            }
        }
    }

    public static ArgumentException NonFinite(string name, long row) =>
        new(OodErrors.Format(OodErrors.NonFiniteScore, name, row), name);

    public static void CountAtLeastOne(int count, string name)
    {
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(name, count, OodErrors.Format(OodErrors.CountMustBePositive, name, count));
        }
    }

    public static void KInRange(int k, int max, string name)
    {
        if (k < 1 || k > max)
        {
            throw new ArgumentOutOfRangeException(name, k, OodErrors.Format(OodErrors.KOutOfRange, name, max, k));
        }
    }

    public static void Label(int label, int classCount, long row, string name)
    {
        if ((uint)label >= (uint)classCount)
        {
            throw new ArgumentOutOfRangeException(name, label, OodErrors.Format(OodErrors.LabelOutOfRange, name, label, row, classCount));
        }
    }
}
