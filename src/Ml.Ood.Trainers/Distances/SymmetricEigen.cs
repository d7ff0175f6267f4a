using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

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
    /// <summary>Householder reflectors applied to a row of Q^T per pass over the matrix.</summary>
    private const int ReflectorBlock = 16;

    /// <summary>Columns of the transposed eigenvector matrix that each pass of recorded rotations updates.</summary>
    private const int RotationBlockColumns = 64;

    /// <summary>QL iterations allowed per eigenvalue on average, as LAPACK's dsteqr (EISPACK tql2 allows 30 each).</summary>
    private const int MaxIterationsPerValue = 30;

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
        Tridiagonalise(a, n, diagonal, offDiagonal, tau);
        var transposed = AccumulateTransposedQ(a, n, tau);
        DiagonaliseTridiagonal(diagonal, offDiagonal, transposed, n);

        int[] order = [.. Enumerable.Range(0, n)];
        Array.Sort((double[])diagonal.Clone(), order);
        for (int j = 0; j < n; j++)
        {
            values[j] = diagonal[order[j]] * unit;
        }
        TransposeRows(transposed, order, vectors, n);
        return (values, vectors);
    }

    /// <summary>
    /// Householder tridiagonalisation on the upper triangle of <paramref name="a"/>: T = Q^T A Q with
    /// Q = H_0 ... H_{n-3}, H_k = I - tau_k v_k v_k^T acting on indices k + 1 ... n - 1. Leaves the diagonal of T in
    /// <paramref name="d"/>, its off-diagonal (d[i], d[i + 1]) in e[i] with e[n - 1] = 0, and v_k (v_k[0] = 1) in
    /// row k from column k + 1 on (LAPACK's dsytd2 convention, mirrored into the upper triangle).
    /// </summary>
    private static void Tridiagonalise(double[] a, int n, double[] d, double[] e, double[] tau)
    {
        var work = new double[n];
        for (int k = 0; k < n - 2; k++)
        {
            int m = n - k - 1;
            d[k] = a[k * n + k];
            var v = a.AsSpan(k * n + k + 1, m);

            // The reflector that maps x = A[k, k+1..] onto beta e_1 (LAPACK's dlarfg).
            double alpha = v[0];
            double tailNorm = TensorPrimitives.Norm<double>(v[1..]);
            if (tailNorm == 0 || double.IsNaN(tailNorm))
            {
                e[k] = alpha;
                tau[k] = 0;
                continue;
            }

            double beta = -Math.CopySign(double.Hypot(alpha, tailNorm), alpha);
            double t = (beta - alpha) / beta;
            tau[k] = t;
            e[k] = beta;
            TensorPrimitives.Multiply(v[1..], 1 / (alpha - beta), v[1..]);
            v[0] = 1;

            // p = tau B v for the trailing block B, from its upper triangle: row i contributes its dot product with v
            // to p_i and its off-diagonal part times v_i to p_{i+1..}.
            var p = work.AsSpan(0, m);
            p.Clear();
            for (int i = 0; i < m; i++)
            {
                int r = k + 1 + i;
                var row = a.AsSpan(r * n + r + 1, m - i - 1);
                p[i] += a[r * n + r] * v[i] + TensorPrimitives.Dot<double>(row, v[(i + 1)..]);
                TensorPrimitives.MultiplyAdd(row, v[i], p[(i + 1)..], p[(i + 1)..]);
            }
            TensorPrimitives.Multiply(p, t, p);

            // w = p - (tau / 2)(p . v) v, then B <- H B H = B - v w^T - w v^T on the upper triangle.
            double kappa = t / 2 * TensorPrimitives.Dot<double>(p, v);
            TensorPrimitives.MultiplyAdd(v, -kappa, p, p);
            for (int i = 0; i < m; i++)
            {
                int r = k + 1 + i;
                var row = a.AsSpan(r * n + r, m - i);
                TensorPrimitives.MultiplyAdd(p[i..], -v[i], row, row);
                TensorPrimitives.MultiplyAdd(v[i..], -p[i], row, row);
            }
        }
        if (n >= 2)
        {
            d[n - 2] = a[(n - 2) * n + n - 2];
            e[n - 2] = a[(n - 2) * n + n - 1];
        }
        d[n - 1] = a[(n - 1) * n + n - 1];
        e[n - 1] = 0;
    }

    /// <summary>
    /// Q^T = H_{n-3} ... H_0, row by row: row i of Q^T is e_i^T H_{i-1} ... H_0, each step r &lt;- r - tau_k (r . v_k) v_k^T
    /// on indices k + 1 ... n - 1. The reflectors are taken <see cref="ReflectorBlock"/> at a time, so that each
    /// row is read once per block and all the block's dot products and updates run on it while it sits in cache.
    /// </summary>
    private static double[] AccumulateTransposedQ(double[] a, int n, double[] tau)
    {
        var q = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            q[i * n + i] = 1;
        }
        for (int high = n - 3; high >= 0; high -= ReflectorBlock)
        {
            int low = Math.Max(0, high - ReflectorBlock + 1);
            for (int i = low + 1; i < n; i++)
            {
                for (int k = Math.Min(high, i - 1); k >= low; k--)
                {
                    if (tau[k] == 0)
                    {
                        continue;
                    }

                    var row = q.AsSpan(i * n + k + 1, n - k - 1);
                    var v = a.AsSpan(k * n + k + 1, n - k - 1);
                    double projection = tau[k] * TensorPrimitives.Dot<double>(row, v);
                    TensorPrimitives.MultiplyAdd(v, -projection, row, row);
                }
            }
        }
        return q;
    }

    /// <summary>
    /// The implicit QL iteration of EISPACK's tql2 (as in JAMA) on the tridiagonal (d, e), leaving the eigenvalues
    /// in <paramref name="d"/> and applying every plane rotation to rows i, i + 1 of <paramref name="transposed"/>
    /// (the eigenvectors as rows). The rotations are computed from d and e alone, so they are buffered and applied
    /// in batches by <see cref="ApplyRotations"/>.
    /// </summary>
    private static void DiagonaliseTridiagonal(double[] d, double[] e, double[] transposed, int n)
    {
        const double Epsilon = 1.0 / (1L << 52);
        var rotations = new RotationBuffer(Math.Clamp(64 * n, 64, 1 << 18));
        double shift = 0, tst1 = 0;
        long iterations = 0, maxIterations = (long)MaxIterationsPerValue * n;
        for (int l = 0; l < n; l++)
        {
            // The first negligible off-diagonal at or after l (e[n - 1] = 0 stops the search; so does NaN).
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.Abs(e[m]) > Epsilon * tst1)
            {
                m++;
            }

            while (m > l && Math.Abs(e[l]) > Epsilon * tst1)
            {
                if (++iterations > maxIterations)
                {
                    throw new InvalidOperationException($"The symmetric eigensolver did not converge in {maxIterations} QL iterations.");
                }

                // The shift: the eigenvalue of the leading 2 x 2 block of (d, e)[l..m] nearer d[l].
                double g = d[l];
                double p = (d[l + 1] - g) / (2 * e[l]);
                double r = double.Hypot(p, 1);
                if (p < 0)
                {
                    r = -r;
                }

                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                double dl1 = d[l + 1];
                double h = g - d[l];
                for (int i = l + 2; i < n; i++)
                {
                    d[i] -= h;
                }
                shift += h;

                // One implicit QL sweep from m - 1 up to l.
                p = d[m];
                double c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
                double el1 = e[l + 1];
                for (int i = m - 1; i >= l; i--)
                {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    g = c * e[i];
                    h = c * p;
                    r = double.Hypot(p, e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    if (rotations.Add(i, c, s))
                    {
                        ApplyRotations(transposed, n, rotations);
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
            }
            d[l] += shift;
            e[l] = 0;
        }
        ApplyRotations(transposed, n, rotations);
    }

    /// <summary>
    /// Applies the buffered rotations in order, rows i, i + 1 of <paramref name="transposed"/> becoming
    /// (c x - s y, s x + c y), one block of <see cref="RotationBlockColumns"/> columns at a time: each block of the
    /// n rows stays in cache through the whole batch, so the matrix is read from memory once per batch.
    /// </summary>
    private static void ApplyRotations(double[] transposed, int n, RotationBuffer rotations)
    {
        for (int start = 0; start < n; start += RotationBlockColumns)
        {
            int width = Math.Min(RotationBlockColumns, n - start);
            for (int j = 0; j < rotations.Count; j++)
            {
                int i = rotations.Index[j];
                Rotate(transposed.AsSpan(i * n + start, width), transposed.AsSpan((i + 1) * n + start, width), rotations.Cos[j], rotations.Sin[j]);
            }
        }
        rotations.Count = 0;
    }

    /// <summary>(x, y) &lt;- (c x - s y, s x + c y), element-wise.</summary>
    private static void Rotate(Span<double> x, Span<double> y, double c, double s)
    {
        int done = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var xs = MemoryMarshal.Cast<double, Vector<double>>(x);
            var ys = MemoryMarshal.Cast<double, Vector<double>>(y);
            Vector<double> cs = new(c), ss = new(s);
            for (int j = 0; j < xs.Length; j++)
            {
                Vector<double> xj = xs[j], yj = ys[j];
                xs[j] = cs * xj - ss * yj;
                ys[j] = ss * xj + cs * yj;
            }
            done = xs.Length * Vector<double>.Count;
        }
        for (int j = done; j < x.Length; j++)
        {
            double xj = x[j], yj = y[j];
            x[j] = c * xj - s * yj;
            y[j] = s * xj + c * yj;
        }
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

    /// <summary>Plane rotations (i, c, s) waiting to be applied, in the order tql2 made them.</summary>
    private sealed class RotationBuffer(int capacity)
    {
        public int[] Index { get; } = new int[capacity];

        public double[] Cos { get; } = new double[capacity];

        public double[] Sin { get; } = new double[capacity];

        public int Count { get; set; }

        /// <summary>Records one rotation; true when the buffer is then full and must be applied.</summary>
        public bool Add(int index, double cos, double sin)
        {
            Index[Count] = index;
            Cos[Count] = cos;
            Sin[Count] = sin;
            return ++Count == Index.Length;
        }
    }
}
