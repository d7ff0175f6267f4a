using System.Numerics;
using Ml.Ood.Evaluators.Common;

namespace Ml.Ood;

/// <summary>
/// The distinct scores of a two-class sample in ascending order, with how many in-distribution and how
/// many out-of-distribution rows hold each. Every threshold metric (ROC, precision-recall, FPR@TPR,
/// detection error) is a walk over these tie groups, so they all come from one sort and treat tied
/// scores as one threshold, as scikit-learn's <c>roc_curve</c> and <c>precision_recall_curve</c> do.
/// </summary>
/// <remarks>
/// Single and Double scores share this code through a generic type parameter, and scores are compared
/// in their own type: two doubles that differ stay two groups even when they round to the same float.
/// The distinct scores are kept as doubles, which hold every Single exactly.
/// </remarks>
internal sealed class ScoreGroups
{
    private ScoreGroups(double[] scores, int[] idCounts, int[] oodCounts, int count, int idTotal, int oodTotal)
    {
        Scores = scores;
        IdCounts = idCounts;
        OodCounts = oodCounts;
        Count = count;
        IdTotal = idTotal;
        OodTotal = oodTotal;
    }

    /// <summary>Distinct scores, ascending; only the first <see cref="Count"/> entries are used.</summary>
    public double[] Scores { get; }

    public int[] IdCounts { get; }

    public int[] OodCounts { get; }

    public int Count { get; }

    public int IdTotal { get; }

    public int OodTotal { get; }

    /// <summary>Splits the rows by class, checks them and groups them.</summary>
    public static ScoreGroups Create<T>(ReadOnlySpan<bool> isOod, ReadOnlySpan<T> scores, string isOodName, string scoresName)
        where T : struct, IFloatingPointIeee754<T>
    {
        Guard.SameLength(scores.Length, scoresName, isOod.Length, isOodName);
        Guard.AllFinite(scores, scoresName);
        int oodTotal = 0;
        foreach (bool b in isOod)
        {
            oodTotal += b ? 1 : 0;
        }

        var id = new T[isOod.Length - oodTotal];
        var ood = new T[oodTotal];
        int ni = 0, no = 0;
        for (int i = 0; i < isOod.Length; i++)
        {
            if (isOod[i])
            {
                ood[no++] = scores[i];
            }
            else
            {
                id[ni++] = scores[i];
            }
        }

        return FromUnsorted(id, ood, isOodName);
    }

    /// <summary>Groups two score arrays that the caller has filled (and checked for finiteness); sorts them in place.</summary>
    public static ScoreGroups FromUnsorted<T>(T[] idScores, T[] oodScores, string isOodName)
        where T : struct, IFloatingPointIeee754<T>
    {
        if (idScores.Length == 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.NoInDistributionRows, isOodName), isOodName);
        }

        if (oodScores.Length == 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.NoOodRows, isOodName), isOodName);
        }

        // Two plain sorts beat one key/item sort of all rows, and the merge below yields the tie groups.
        ScoreSort.Ascending(idScores);
        ScoreSort.Ascending(oodScores);
        return Merge(idScores, oodScores);
    }

    private static ScoreGroups Merge<T>(T[] id, T[] ood)
        where T : struct, IFloatingPointIeee754<T>
    {
        // Only the first Count entries are ever read, and each is written before it is: no need to zero them.
        int capacity = id.Length + ood.Length;
        var scores = GC.AllocateUninitializedArray<double>(capacity);
        var idCounts = GC.AllocateUninitializedArray<int>(capacity);
        var oodCounts = GC.AllocateUninitializedArray<int>(capacity);
        int i = 0, o = 0, g = 0;
        while (i < id.Length || o < ood.Length)
        {
            // -0 and +0 compare equal, so they fall into one group as the metrics' definitions require.
            T s = o >= ood.Length || (i < id.Length && id[i] < ood[o]) ? id[i] : ood[o];
            int i0 = i, o0 = o;
            while (i < id.Length && id[i] == s)
            {
                i++;
            }

            while (o < ood.Length && ood[o] == s)
            {
                o++;
            }

            scores[g] = double.CreateTruncating(s);
            idCounts[g] = i - i0;
            oodCounts[g] = o - o0;
            g++;
        }

        return new ScoreGroups(scores, idCounts, oodCounts, g, id.Length, ood.Length);
    }
}
