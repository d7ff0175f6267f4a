using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// The label logits of an update batch, scale x cos(row, label) for every row and label, tiled over the labels: a tile
/// of labels stays in cache while every row of the batch meets it (per row, the whole label matrix would stream from
/// memory: 22 MB for ImageNet's 1,000 classes and 10,000 negatives at 512 wide), and four rows share each label load.
/// Every dot product accumulates in the same order whether its row is computed alone or in a group of four, so a value
/// never depends on the tiling, the grouping or the threads.
/// </summary>
internal static class AdaNegCosines
{
    /// <summary>Labels per tile: 64 labels of 512 floats are 128 KiB.</summary>
    private const int TileLabels = 64;

    /// <summary>Multiply-adds per update batch above which the tiles run in parallel.</summary>
    private const long ParallelWork = 1L << 22;

    /// <param name="rows">count x width unit rows.</param>
    /// <param name="valid">The rows to compute (the others are left as they are).</param>
    /// <param name="labels">Unit label rows, labels x width.</param>
    /// <param name="width">D.</param>
    /// <param name="scale">1 / tau.</param>
    /// <param name="logits">count x labels, row-major.</param>
    public static void Compute(float[] rows, bool[] valid, ReadOnlyMemory<float> labels, int width, float scale, float[] logits)
    {
        int labelCount = labels.Length / width;
        int tiles = (labelCount + TileLabels - 1) / TileLabels;
        int[] live = [.. Enumerable.Range(0, valid.Length).Where(i => valid[i])];
        void Tile(int tile)
        {
            var all = labels.Span;
            int first = tile * TileLabels;
            int last = Math.Min(labelCount, first + TileLabels);
            int r = 0;
            for (; r + 4 <= live.Length; r += 4)
            {
                var (a, b, c, d) = (live[r], live[r + 1], live[r + 2], live[r + 3]);
                for (int label = first; label < last; label++)
                {
                    var (sa, sb, sc, sd) = Dot4(all.Slice(label * width, width), rows.AsSpan(a * width, width), rows.AsSpan(b * width, width),
                        rows.AsSpan(c * width, width), rows.AsSpan(d * width, width));
                    logits[(a * labelCount) + label] = scale * sa;
                    logits[(b * labelCount) + label] = scale * sb;
                    logits[(c * labelCount) + label] = scale * sc;
                    logits[(d * labelCount) + label] = scale * sd;
                }
            }
            for (; r < live.Length; r++)
            {
                var row = rows.AsSpan(live[r] * width, width);
                for (int label = first; label < last; label++)
                {
                    logits[(live[r] * labelCount) + label] = scale * Dot(all.Slice(label * width, width), row);
                }
            }
        }

        if ((long)live.Length * labelCount * width < ParallelWork || tiles == 1)
        {
            for (int tile = 0; tile < tiles; tile++)
            {
                Tile(tile);
            }
            return;
        }
        Parallel.For(0, tiles, Tile);
    }

    /// <summary>One dot product in the order <see cref="Dot4"/> uses for each of its rows.</summary>
    private static float Dot(ReadOnlySpan<float> label, ReadOnlySpan<float> row)
    {
        var l = MemoryMarshal.Cast<float, Vector<float>>(label);
        var x = MemoryMarshal.Cast<float, Vector<float>>(row);
        var acc = Vector<float>.Zero;
        for (int k = 0; k < l.Length; k++)
        {
            acc = Vector.FusedMultiplyAdd(l[k], x[k], acc);
        }
        return Finish(acc, label, row, l.Length * Vector<float>.Count);
    }

    private static (float, float, float, float) Dot4(ReadOnlySpan<float> label, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
        ReadOnlySpan<float> c, ReadOnlySpan<float> d)
    {
        var l = MemoryMarshal.Cast<float, Vector<float>>(label);
        var xa = MemoryMarshal.Cast<float, Vector<float>>(a);
        var xb = MemoryMarshal.Cast<float, Vector<float>>(b);
        var xc = MemoryMarshal.Cast<float, Vector<float>>(c);
        var xd = MemoryMarshal.Cast<float, Vector<float>>(d);
        Vector<float> aa = default, ab = default, ac = default, ad = default;
        for (int k = 0; k < l.Length; k++)
        {
            var v = l[k];
            aa = Vector.FusedMultiplyAdd(v, xa[k], aa);
            ab = Vector.FusedMultiplyAdd(v, xb[k], ab);
            ac = Vector.FusedMultiplyAdd(v, xc[k], ac);
            ad = Vector.FusedMultiplyAdd(v, xd[k], ad);
        }
        int tail = l.Length * Vector<float>.Count;
        return (Finish(aa, label, a, tail), Finish(ab, label, b, tail), Finish(ac, label, c, tail), Finish(ad, label, d, tail));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish(Vector<float> acc, ReadOnlySpan<float> label, ReadOnlySpan<float> row, int tail)
    {
        float sum = Vector.Sum(acc);
        for (int k = tail; k < label.Length; k++)
        {
            sum += label[k] * row[k];
        }
        return sum;
    }
}
