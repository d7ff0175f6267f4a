namespace Ml.Ood;

/// <summary>
/// Eigen-decomposition of a symmetric matrix by the cyclic Jacobi method, in double precision. Written by hand
/// because none of the libraries this project may use (ML.NET, System.Numerics.Tensors, ONNX Runtime) exposes a
/// symmetric eigensolver or a pseudo-inverse; Jacobi is simple, unconditionally stable and accurate for the
/// small, dense covariance matrices (a few hundred dimensions) the Mahalanobis head needs.
/// </summary>
internal static class SymmetricEigen
{
    /// <summary>Decomposes <paramref name="matrix"/> (row-major n x n, symmetric) as V diag(values) V^T.</summary>
    /// <returns>The eigenvalues and the eigenvectors as the columns of a row-major n x n matrix.</returns>
    public static (double[] Values, double[] Vectors) Decompose(double[] matrix, int n, int maxSweeps = 100)
    {
        var a = (double[])matrix.Clone();
        var v = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            v[i * n + i] = 1;
        }

        for (int sweep = 0; sweep < maxSweeps; sweep++)
        {
            double offDiagonal = 0, diagonal = 0;
            for (int i = 0; i < n; i++)
            {
                diagonal += a[i * n + i] * a[i * n + i];
                for (int j = i + 1; j < n; j++)
                {
                    offDiagonal += a[i * n + j] * a[i * n + j];
                }
            }
            if (offDiagonal <= 1e-30 * diagonal || offDiagonal == 0)
            {
                break;
            }

            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    Rotate(a, v, n, p, q);
                }
            }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = a[i * n + i];
        }

        return (values, v);
    }

    /// <summary>One Jacobi rotation that zeroes a[p, q] (Golub and Van Loan, Algorithm 8.5.2).</summary>
    private static void Rotate(double[] a, double[] v, int n, int p, int q)
    {
        double apq = a[p * n + q];
        if (apq == 0)
        {
            return;
        }

        double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        if (theta == 0)
        {
            t = 1;
        }

        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++)
        {
            double akp = a[k * n + p], akq = a[k * n + q];
            a[k * n + p] = c * akp - s * akq;
            a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++)
        {
            double apk = a[p * n + k], aqk = a[q * n + k];
            a[p * n + k] = c * apk - s * aqk;
            a[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++)
        {
            double vkp = v[k * n + p], vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
        }
    }
}
