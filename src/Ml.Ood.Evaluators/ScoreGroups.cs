namespace Ml.Ood.Evaluators;

/// <summary>
/// The distinct scores of a two-class sample in ascending order, with how many in-distribution and how
/// many out-of-distribution rows hold each. Every threshold metric (ROC, precision-recall, FPR@TPR,
/// detection error) is a walk over these tie groups, so they all come from one sort and treat tied
/// scores as one threshold, as scikit-learn's <c>roc_curve</c> and <c>precision_recall_curve</c> do.
/// </summary>
internal sealed class ScoreGroups
{
    private ScoreGroups(float[] scores, int[] idCounts, int[] oodCounts, int count, int idTotal, int oodTotal)
    {
        Scores = scores;
        IdCounts = idCounts;
        OodCounts = oodCounts;
        Count = count;
        IdTotal = idTotal;
        OodTotal = oodTotal;
    }

    /// <summary>Distinct scores, ascending; only the first <see cref="Count"/> entries are used.</summary>
    public float[] Scores { get; }

    public int[] IdCounts { get; }

    public int[] OodCounts { get; }

    public int Count { get; }

    public int IdTotal { get; }

    public int OodTotal { get; }

    /// <summary>Splits the rows by class, checks them and groups them.</summary>
    public static ScoreGroups Create(ReadOnlySpan<bool> isOod, ReadOnlySpan<float> scores, string isOodName, string scoresName)
    {
        Guard.SameLength(scores.Length, scoresName, isOod.Length, isOodName);
        Guard.AllFinite(scores, scoresName);
        int oodTotal = 0;
        foreach (bool b in isOod)
        {
            oodTotal += b ? 1 : 0;
        }

        var id = new float[isOod.Length - oodTotal];
        var ood = new float[oodTotal];
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
    public static ScoreGroups FromUnsorted(float[] idScores, float[] oodScores, string isOodName)
    {
        if (idScores.Length == 0)
        {
            throw new ArgumentException(ErrorMessages.Format(ErrorMessages.NoInDistributionRows, isOodName), isOodName);
        }

        if (oodScores.Length == 0)
        {
            throw new ArgumentException(ErrorMessages.Format(ErrorMessages.NoOodRows, isOodName), isOodName);
        }

        // Two plain float sorts beat one key/item sort of all rows, and the merge below yields the tie groups.
        FloatSort.Ascending(idScores);
        FloatSort.Ascending(oodScores);
        return Merge(idScores, oodScores);
    }

    private static ScoreGroups Merge(float[] id, float[] ood)
    {
        int capacity = id.Length + ood.Length;
        var scores = new float[capacity];
        var idCounts = new int[capacity];
        var oodCounts = new int[capacity];
        int i = 0, o = 0, g = 0;
        while (i < id.Length || o < ood.Length)
        {
            // -0 and +0 compare equal, so they fall into one group as the metrics' definitions require.
            float s = o >= ood.Length || (i < id.Length && id[i] < ood[o]) ? id[i] : ood[o];
            int i0 = i, o0 = o;
            while (i < id.Length && id[i] == s)
            {
                i++;
            }

            while (o < ood.Length && ood[o] == s)
            {
                o++;
            }

            scores[g] = s;
            idCounts[g] = i - i0;
            oodCounts[g] = o - o0;
            g++;
        }

        return new ScoreGroups(scores, idCounts, oodCounts, g, id.Length, ood.Length);
    }
}
