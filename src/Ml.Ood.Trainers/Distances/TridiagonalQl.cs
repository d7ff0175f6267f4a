using System.Numerics;
using System.Runtime.InteropServices;

namespace Ml.Ood;

/// <summary>
/// The second half of <see cref="SymmetricEigen"/>: the implicit QL algorithm with Wilkinson-type shifts on a
/// symmetric tridiagonal matrix (EISPACK tql2), its plane rotations recorded and applied to the eigenvector rows in
/// cache-sized column blocks.
/// </summary>
internal static class TridiagonalQl
{
    /// <summary>Columns of the transposed eigenvector matrix that each pass of recorded rotations updates.</summary>
    private const int RotationBlockColumns = 64;

    /// <summary>QL iterations allowed per eigenvalue on average, as LAPACK's dsteqr (EISPACK tql2 allows 30 each).</summary>
    private const int MaxIterationsPerValue = 30;

    /// <summary>
    /// The implicit QL iteration of EISPACK's tql2 (as in JAMA) on the tridiagonal (d, e), leaving the eigenvalues
    /// in <paramref name="d"/> and applying every plane rotation to rows i, i + 1 of <paramref name="transposed"/>
    /// (the eigenvectors as rows). The rotations are computed from d and e alone, so they are buffered and applied
    /// in batches by <see cref="ApplyRotations"/>.
    /// </summary>
    public static void Diagonalise(double[] d, double[] e, double[] transposed, int n)
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
