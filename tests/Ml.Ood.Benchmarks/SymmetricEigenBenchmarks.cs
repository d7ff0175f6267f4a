using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// The symmetric eigensolver behind Mahalanobis, RMDS and ViM (Householder + implicit QL) on a random symmetric
/// n x n matrix, at n = 512 and at D = 2048, the ImageNet ResNet-50 feature width.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class SymmetricEigenBenchmarks
{
    private double[] _matrix = null!;

    [Params(512, 2048)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => _matrix = SymmetricEigenMatrices.Random(N);

    [Benchmark(Description = "Householder + implicit QL")]
    public double[] HouseholderQl() => SymmetricEigen.Decompose(_matrix, N).Values;
}

/// <summary>
/// The same solver against the cyclic Jacobi method it replaced, at n = 512 only: Jacobi took ~20 s there, and its
/// cost grows as n^3 per sweep with more sweeps for larger n, so n = 2048 (~20 minutes a run) is left out.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class SymmetricEigenVersusJacobiBenchmarks
{
    private double[] _matrix = null!;

    [Params(512)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => _matrix = SymmetricEigenMatrices.Random(N);

    [Benchmark(Baseline = true, Description = "cyclic Jacobi (the old SymmetricEigen)")]
    public double[] Jacobi() => SymmetricEigenMatrices.JacobiDecompose(_matrix, N).Values;

    [Benchmark(Description = "Householder + implicit QL")]
    public double[] HouseholderQl() => SymmetricEigen.Decompose(_matrix, N).Values;
}

/// <summary>Inputs for the eigensolver benchmarks, and a private copy of the old Jacobi solver to compare with.</summary>
internal static class SymmetricEigenMatrices
{
    /// <summary>A symmetric n x n matrix of uniform [-1, 1) entries, row-major, seeded.</summary>
    public static double[] Random(int n)
    {
        var random = new Random(n);
        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = i; j < n; j++)
            {
                matrix[i * n + j] = matrix[j * n + i] = random.NextDouble() * 2 - 1;
            }
        }
        return matrix;
    }

    /// <summary>The cyclic Jacobi solver SymmetricEigen used before Householder + QL, kept here for comparison only.</summary>
    public static (double[] Values, double[] Vectors) JacobiDecompose(double[] matrix, int n, int maxSweeps = 100)
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
