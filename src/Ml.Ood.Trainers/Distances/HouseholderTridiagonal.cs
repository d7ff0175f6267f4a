using System.Numerics.Tensors;

namespace Ml.Ood;

/// <summary>
/// The first half of <see cref="SymmetricEigen"/>: Householder reduction of a symmetric matrix to tridiagonal form
/// (EISPACK tred2, LAPACK dsytd2), and the accumulation of the reflectors into Q^T, row-major and cache-blocked.
/// </summary>
internal static class HouseholderTridiagonal
{
    /// <summary>Householder reflectors applied to a row of Q^T per pass over the matrix.</summary>
    private const int ReflectorBlock = 16;

    /// <summary>
    /// Householder tridiagonalisation on the upper triangle of <paramref name="a"/>: T = Q^T A Q with
    /// Q = H_0 ... H_{n-3}, H_k = I - tau_k v_k v_k^T acting on indices k + 1 ... n - 1. Leaves the diagonal of T in
    /// <paramref name="d"/>, its off-diagonal (d[i], d[i + 1]) in e[i] with e[n - 1] = 0, and v_k (v_k[0] = 1) in
    /// row k from column k + 1 on (LAPACK's dsytd2 convention, mirrored into the upper triangle).
    /// </summary>
    public static void Reduce(double[] a, int n, double[] d, double[] e, double[] tau)
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
    public static double[] AccumulateTransposedQ(double[] a, int n, double[] tau)
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
}
