using System.Numerics;
using System.Runtime.InteropServices;

namespace Ml.Ood;

/// <summary>
/// Adds up the multi-label ranking metrics row by row, so that the span API and the one-cursor
/// <c>IDataView</c> reader share it. Each row is sorted once (O(C log C)): the ranking loss needs the
/// full order, and TKPR, precision, recall, AP and NDCG fall out of the same walk. A row becomes one sortable
/// integer key per label: 64 bits for Single scores, 128 for Double (so that no double is rounded).
/// </summary>
internal sealed class MultiLabelRankingAccumulator
{
    private readonly int _k;
    private readonly string _labelName;
    private readonly ulong[] _keys;
    private UInt128[]? _wideKeys;
    private readonly double[] _discount;
    private readonly double[] _idealDcg;
    private double _tkpr, _precision, _recall, _ap, _ndcg, _rankingLoss;
    private int _rows, _skipped;

    public MultiLabelRankingAccumulator(int labelCount, int k, string labelName)
    {
        _k = k;
        _labelName = labelName;
        _keys = new ulong[labelCount];
        _discount = new double[k + 1];
        _idealDcg = new double[k + 1];
        for (int i = 1; i <= k; i++)
        {
            _discount[i] = 1.0 / Math.Log2(i + 1);
            _idealDcg[i] = _idealDcg[i - 1] + _discount[i];
        }
    }

    /// <summary>Adds one row; its scores must already be known finite.</summary>
    public void Add<T>(ReadOnlySpan<T> scores, ReadOnlySpan<bool> isPositive, long row)
        where T : struct, IFloatingPointIeee754<T>
    {
        // The JIT folds the type test away, so each score type compiles to its own straight path.
        if (typeof(T) == typeof(float))
        {
            int positives = FillKeys(MemoryMarshal.Cast<T, float>(scores), isPositive);
            Walk(_keys.AsSpan(0, scores.Length), positives, row);
        }
        else
        {
            _wideKeys ??= new UInt128[_keys.Length];
            int positives = FillKeys(MemoryMarshal.Cast<T, double>(scores), isPositive);
            Walk(_wideKeys.AsSpan(0, scores.Length), positives, row);
        }
    }

    private void Walk<TKey>(Span<TKey> keys, int positives, long row)
        where TKey : struct, IBinaryInteger<TKey>
    {
        if (positives == 0)
        {
            _skipped++;
            return;
        }

        int negatives = keys.Length - positives;
        if (negatives < _k)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.TooFewNegatives, _labelName, row, negatives, _k), _labelName);
        }

        keys.Sort();
        long negativesSeen = 0, misordered = 0, tkprHits = 0;
        int hits = 0, hitsInK = 0;
        double apSum = 0, dcg = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if ((keys[i] & TKey.One) == TKey.Zero)
            {
                negativesSeen++;
                continue;
            }

            // Ties sort negatives first, so negativesSeen counts exactly the negatives with f_n >= f_p:
            // the pairs the ranking loss counts as mis-ordered, and (capped at K) the top-K negatives that
            // TKPR's strict 1[f_p > f_n] does not credit.
            hits++;
            misordered += negativesSeen;
            tkprHits += _k - Math.Min(negativesSeen, _k);
            if (i < _k)
            {
                hitsInK++;
                apSum += (double)hits / (i + 1);
                dcg += _discount[i + 1];
            }
        }

        int cut = Math.Min(_k, positives);
        _tkpr += (double)tkprHits / ((long)_k * positives);
        _precision += (double)hitsInK / _k;
        _recall += (double)hitsInK / positives;
        _ap += apSum / cut;
        _ndcg += dcg / _idealDcg[cut];
        _rankingLoss += (double)misordered / ((long)positives * negatives);
        _rows++;
    }

    public MultiLabelRankingMetrics Result()
    {
        if (_rows == 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.NoPositiveLabels, _labelName), _labelName);
        }

        return new MultiLabelRankingMetrics(
            _k, _tkpr / _rows, _precision / _rows, _recall / _rows, _ap / _rows, _ndcg / _rows, _rankingLoss / _rows, _rows, _skipped);
    }

    /// <summary>
    /// One 64-bit key per label whose ascending order is: score descending, then negatives before
    /// positives. The score goes through the usual order-preserving float-to-uint map (flip all bits of
    /// negatives, the sign bit of positives), after folding -0 into +0 so that they tie.
    /// </summary>
    private int FillKeys(ReadOnlySpan<float> scores, ReadOnlySpan<bool> isPositive)
    {
        int positives = 0;
        for (int c = 0; c < scores.Length; c++)
        {
            float s = scores[c] == 0f ? 0f : scores[c];
            uint bits = BitConverter.SingleToUInt32Bits(s);
            uint ascending = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
            bool positive = isPositive[c];
            positives += positive ? 1 : 0;
            _keys[c] = ((ulong)~ascending << 32) | (positive ? 1UL : 0UL);
        }

        return positives;
    }

    /// <summary>
    /// The Double twin of the key above, 128 bits wide: the order-preserving double-to-ulong map, complemented
    /// for descending order, shifted left by one to make room for the positive flag.
    /// </summary>
    private int FillKeys(ReadOnlySpan<double> scores, ReadOnlySpan<bool> isPositive)
    {
        int positives = 0;
        for (int c = 0; c < scores.Length; c++)
        {
            double s = scores[c] == 0d ? 0d : scores[c];
            ulong bits = BitConverter.DoubleToUInt64Bits(s);
            ulong ascending = (bits & 0x8000_0000_0000_0000ul) != 0 ? ~bits : bits | 0x8000_0000_0000_0000ul;
            bool positive = isPositive[c];
            positives += positive ? 1 : 0;
            _wideKeys![c] = ((UInt128)~ascending << 1) | (positive ? UInt128.One : UInt128.Zero);
        }

        return positives;
    }
}
