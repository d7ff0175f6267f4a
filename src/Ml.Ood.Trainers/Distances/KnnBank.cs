using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Ml.Ood.Trainers.Data;

namespace Ml.Ood;

/// <summary>
/// The in-distribution embeddings a KNN head compares against: every row, or a seeded sample, L2-normalised
/// (Sun et al., ICML 2022), read with one cursor. Sampling keeps each row with probability <c>fraction</c>
/// and/or at most <c>maxRows</c> rows by reservoir sampling, so a sampled bank never holds the whole data set.
/// </summary>
internal sealed class KnnBank
{
    private KnnBank(float[][] rows, int dimensions, long rowsRead, long zeroRows)
    {
        Rows = rows;
        Dimensions = dimensions;
        RowsRead = rowsRead;
        ZeroRowsSkipped = zeroRows;
    }

    /// <summary>The bank rows: unit-norm for KNN, as the row function made them otherwise.</summary>
    public float[][] Rows { get; }

    public int Dimensions { get; }

    public long RowsRead { get; }

    public long ZeroRowsSkipped { get; }

    public static KnnBank Read(IHost host, IDataView data, string column, int dimensions, double? fraction, int? maxRows, Random random)
        => Read(host, data, column, dimensions, fraction, maxRows, random, Normalise);

    /// <summary>
    /// The same sample, with each kept row stored as <paramref name="bankRow"/> makes it from the embedding and its largest
    /// magnitude (> 0): NNGuide keeps its unit row times the row's energy.
    /// </summary>
    public static KnnBank Read(IHost host, IDataView data, string column, int dimensions, double? fraction, int? maxRows, Random random,
        Func<ReadOnlySpan<float>, float, float[]> bankRow)
    {
        var kept = new List<float[]>();
        long candidates = 0, zeroRows = 0;
        long rowsRead = TrainingRows.Read(host, data, column, labelColumn: null, (embedding, _) =>
        {
            float scale = MathF.Abs(TensorPrimitives.MaxMagnitude(embedding));
            if (scale == 0)
            {
                // A zero vector has no direction to compare: it cannot be a neighbour (documented on KnnEstimator).
                zeroRows++;
                return;
            }
            if (fraction is double f && random.NextDouble() >= f)
            {
                return;
            }

            candidates++;
            if (maxRows is int cap && kept.Count >= cap)
            {
                // Reservoir sampling (Vitter's algorithm R): every candidate is kept with probability cap / candidates.
                long slot = random.NextInt64(candidates);
                if (slot < cap)
                {
                    kept[(int)slot] = bankRow(embedding, scale);
                }

                return;
            }
            CheckRows(kept.Count + 1L);
            kept.Add(bankRow(embedding, scale));
        });
        return new KnnBank(kept.ToArray(), dimensions, rowsRead, zeroRows);
    }

    /// <summary>
    /// Throws before the bank outgrows what one bank can index (its rows are one list). Its size in bytes has no cap: a
    /// bank over ONNX's 2 GB limit is written as external data (<c>HeadGraph.TransposedRows</c>).
    /// </summary>
    public static void CheckRows(long rows)
    {
        if (rows > Array.MaxLength)
        {
            throw new InvalidOperationException(OodErrors.Format(OodErrors.KnnBankTooManyRows, rows, Array.MaxLength));
        }
    }

    /// <summary>
    /// The row at unit L2 norm, dividing first by its largest magnitude <paramref name="scale"/> (> 0): the sum of
    /// squares of a row of 1e-30s underflows to 0 in float and one of 1e30s overflows to infinity, which made the
    /// first a "zero" row and the second a row of zeros. After the division every value is in [-1, 1] and one is
    /// +-1, so the norm lies in [1, sqrt(d)].
    /// </summary>
    internal static float[] Normalise(ReadOnlySpan<float> embedding, float scale)
    {
        var unit = new float[embedding.Length];
        TensorPrimitives.Divide(embedding, scale, unit);
        TensorPrimitives.Divide(unit, TensorPrimitives.Norm<float>(unit), unit);
        return unit;
    }
}
