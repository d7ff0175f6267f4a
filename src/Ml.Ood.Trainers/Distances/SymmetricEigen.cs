using System.Numerics;
using System.Numerics.Tensors;

namespace Ml.Ood;

/// <summary>
/// Eigen-decomposition of a real symmetric matrix in double precision: Householder reduction to tridiagonal form,
/// then the implicit QL algorithm with the Wilkinson-type shift of the EISPACK tred2/tql2 pair (Wilkinson and
/// Reinsch, Handbook for Automatic Computation II, contributions II/2 and II/3; as in JAMA's EigenvalueDecomposition;
/// Golub and Van Loan, Matrix Computations, 4th ed., Algorithms 8.3.1 and 8.3.3). Written by hand because none of
/// the libraries this project may use (ML.NET, System.Numerics.Tensors, ONNX Runtime) exposes a symmetric
/// eigensolver or a pseudo-inverse. About 9 n^3 flops in all, against the cyclic Jacobi method it replaces (tens
/// of n^3 per sweep, with column-strided memory access): covariances of D = 2048 features take seconds, not minutes.
/// </summary>
/// <remarks>
/// The loops are arranged for row-major memory, so that every inner loop is a contiguous dot product, axpy or plane
/// rotation (vectorised by <see cref="TensorPrimitives"/> or <see cref="Vector{T}"/>):
/// <list type="bullet">
/// <item>the reduction keeps the upper triangle and reads the Householder vector from row k, not column k;</item>
/// <item>Q^T, not Q, is accumulated, one row at a time under a block of reflectors while the row sits in cache;</item>
/// <item>tql2's rotations depend only on the tridiagonal matrix, so they are recorded and then applied to the
/// eigenvector rows in column blocks that fit in cache, instead of streaming the whole n x n matrix per rotation.</item>
/// </list>
/// </remarks>
internal static class SymmetricEigen
{
    /// <summary>Decomposes <paramref name="matrix"/> (row-major n x n, symmetric) as V diag(values) V^T.</summary>
    /// <param name="matrix">The symmetric matrix, row-major; it is not modified. An asymmetry from rounding is
    /// averaged away: the decomposition is that of (A + A^T) / 2.</param>
    /// <param name="n">The order of the matrix.</param>
    /// <returns>The eigenvalues in ascending order, and the orthonormal eigenvectors as the columns of a row-major
    /// n x n matrix (column j belongs to value j). A NaN in the matrix gives NaN results rather than a hang.</returns>
    public static (double[] Values, double[] Vectors) Decompose(double[] matrix, int n)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (matrix.Length < (long)n * n)
        {
            throw new ArgumentException($"The matrix holds {matrix.Length} values, fewer than {n} x {n}.", nameof(matrix));
        }

        // Work on A / 2^floor(log2 max|a_ij|), so that no sum of squares below over- or underflows; a power of two
        // scales exactly, so a diagonal matrix, say, gives its diagonal back bit for bit.
        var a = new double[n * n];
        double scale = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i; j < n; j++)
            {
                double value = 0.5 * (matrix[i * n + j] + matrix[j * n + i]);
                a[i * n + j] = value;
                scale = double.IsNaN(value) ? value : Math.Max(scale, Math.Abs(value));
            }
        }
        var values = new double[n];
        var vectors = new double[n * n];
        if (scale == 0)
        {
            for (int i = 0; i < n; i++)
            {
                vectors[i * n + i] = 1;
            }

            return (values, vectors);
        }
        double unit = double.IsFinite(scale) ? Math.ScaleB(1.0, Math.ILogB(scale)) : 1;
        TensorPrimitives.Divide(a, unit, a);

        var diagonal = new double[n];
        var offDiagonal = new double[n];
        var tau = new double[n];
        HouseholderTridiagonal.Reduce(a, n, diagonal, offDiagonal, tau);
        var transposed = HouseholderTridiagonal.AccumulateTransposedQ(a, n, tau);
        TridiagonalQl.Diagonalise(diagonal, offDiagonal, transposed, n);

        int[] order = [.. Enumerable.Range(0, n)];
        Array.Sort((double[])diagonal.Clone(), order);
        for (int j = 0; j < n; j++)
        {
            values[j] = diagonal[order[j]] * unit;
        }
        TransposeRows(transposed, order, vectors, n);
        return (values, vectors);
    }

    /// <summary>output[k, j] = transposed[order[j], k]: eigenvector rows become sorted columns, in cache-sized tiles.</summary>
    private static void TransposeRows(double[] transposed, int[] order, double[] output, int n)
    {
        const int Tile = 32;
        for (int j0 = 0; j0 < n; j0 += Tile)
        {
            for (int k0 = 0; k0 < n; k0 += Tile)
            {
                for (int j = j0; j < Math.Min(j0 + Tile, n); j++)
                {
                    int source = order[j] * n;
                    for (int k = k0; k < Math.Min(k0 + Tile, n); k++)
                    {
                        output[k * n + j] = transposed[source + k];
                    }
                }
            }
        }
    }
}
