using Ml.Ood.Transforms.Graph;

namespace Ml.Ood;

/// <summary>
/// Text embeddings of labels (class names or negative words), checked and L2-normalised, as the heads of
/// MCM (Ming et al., NeurIPS 2022) and NegLabel (Jiang et al., ICLR 2024) compare them by cosine similarity.
/// </summary>
internal sealed class LabelEmbeddings
{
    internal const string IdSet = "ID";
    internal const string NegativeSet = "negative";
    internal const string CandidateSet = "candidate";

    private readonly float[][] _rows;

    private LabelEmbeddings(float[][] rows, int width)
    {
        _rows = rows;
        Width = width;
    }

    /// <summary>How many labels.</summary>
    public int Count => _rows.Length;

    /// <summary>The embedding width, which the image embedding column must match.</summary>
    public int Width { get; }

    /// <summary>
    /// Checks the user's embeddings (non-empty, one width, finite, non-zero) and copies them normalised, so that
    /// a later change to the caller's arrays does not reach the fitted head.
    /// </summary>
    /// <param name="embeddings">The caller's rows.</param>
    /// <param name="set">"ID" or "negative", for the messages.</param>
    /// <param name="parameterName">The caller's parameter, for the exceptions.</param>
    /// <param name="width">The width the rows must have (the other set's), or null to take the first row's.</param>
    public static LabelEmbeddings Normalise(IReadOnlyList<float[]>? embeddings, string set, string parameterName, int? width = null)
    {
        ArgumentNullException.ThrowIfNull(embeddings, parameterName);
        if (embeddings.Count == 0 || embeddings[0] is null || embeddings[0].Length == 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.LabelSetEmpty, set), parameterName);
        }

        int expected = width ?? embeddings[0].Length;
        var rows = new float[embeddings.Count][];
        for (int i = 0; i < rows.Length; i++)
        {
            var row = embeddings[i];
            if (row is null || row.Length != expected)
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.LabelEmbeddingWidth, set, i, row?.Length ?? 0, expected), parameterName);
            }

            rows[i] = Unit(row, set, i, parameterName);
        }
        return new LabelEmbeddings(rows, expected);
    }

    /// <summary>
    /// Throws, naming the column, when the image embedding column is not as wide as the label embeddings: an
    /// image encoder and a text encoder from different models (or a projection missing) is the usual cause.
    /// </summary>
    public void CheckImageColumn(Microsoft.ML.DataViewSchema schema, string columnName, int inputSize)
    {
        if (inputSize != Width)
        {
            throw new ArgumentOutOfRangeException("inputSchema",
                OodErrors.Format(OodErrors.LabelEmbeddingSizeMismatch, columnName, Width, schema[columnName].Type.ToString()!));
        }
    }

    /// <summary>One unit-norm label embedding.</summary>
    public ReadOnlySpan<float> Row(int index) => _rows[index];

    /// <summary>The labels in the given order (a subset or a permutation).</summary>
    public LabelEmbeddings Select(IReadOnlyList<int> order)
        => new(order.Select(i => _rows[i]).ToArray(), Width);

    /// <summary>The labels as a [width, count] matrix: image embeddings [n, width] times it gives the cosines [n, count].</summary>
    public float[] Transposed()
    {
        var transposed = new float[(long)Width * Count];
        for (int r = 0; r < Count; r++)
        {
            var row = _rows[r];
            for (int d = 0; d < Width; d++)
            {
                transposed[(long)d * Count + r] = row[d];
            }
        }
        return transposed;
    }

    /// <summary>Cosines between unit image rows [n, width] and these labels: [n, count], one MatMul.</summary>
    public string Cosines(HeadGraph g, string unitRows, string name) => g.Cosines(unitRows, name, Transposed(), Width, Count);

    /// <summary>
    /// The negatives a grouped head keeps, in group order: the authors drop the last M mod G and then permute the rest
    /// (clip_ood.py, <c>grouping</c>); the permutation here is a Fisher-Yates shuffle written out (not
    /// <c>Random.Shuffle</c>, whose algorithm is not documented) over <c>new Random(seed)</c>, whose sequence .NET keeps
    /// stable for a given seed, so a saved seed always means the same groups.
    /// </summary>
    internal static int[] GroupOrder(int count, int groups, int? shuffleSeed)
    {
        var order = Enumerable.Range(0, count - count % groups).ToArray();
        if (shuffleSeed is int seed)
        {
            var random = new Random(seed);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return order;
    }

    private static float[] Unit(float[] row, string set, int index, string parameterName)
    {
        // The norm in double: a 512-wide sum of squares in float loses digits that the 1e-5 tolerance needs at tau = 0.01.
        double sum = 0;
        foreach (float v in row)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.LabelEmbeddingNotFinite, set, index), parameterName);
            }

            sum += (double)v * v;
        }
        if (sum == 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.LabelEmbeddingZero, set, index), parameterName);
        }

        double norm = Math.Sqrt(sum);
        return row.Select(v => (float)(v / norm)).ToArray();
    }
}
