namespace Ml.Ood.Trainers.Tests;

/// <summary>
/// SymmetricEigen (Householder + implicit QL) against properties and values computed without it: A V = V diag(values),
/// V^T V = I, the trace and Frobenius norm, and the known spectra of constructed matrices Q diag(lambda) Q^T,
/// diagonal matrices and the tridiagonal (-1, 2, -1) matrix.
/// </summary>
[TestClass]
public sealed class SymmetricEigenTests
{
    private const double Tolerance = 1e-10;

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(17)]
    [DataRow(100)]
    public void RandomSymmetricMatricesAreDiagonalised(int n)
    {
        var random = new Random(n);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = i; j < n; j++)
            {
                a[i * n + j] = a[j * n + i] = random.NextDouble() * 2 - 1;
            }
        }
        var copy = (double[])a.Clone();

        var (values, vectors) = SymmetricEigen.Decompose(a, n);

        CollectionAssert.AreEqual(copy, a, "the input is left alone");
        AssertDecomposition(a, n, values, vectors);
        AssertTraceAndFrobenius(a, n, values);
    }

    [TestMethod]
    public void TwoByTwoMatchesTheClosedForm()
    {
        // [[a, b], [b, c]]: (a + c) / 2 -+ sqrt(((a - c) / 2)^2 + b^2).
        double[] matrix = [3, -1.5, -1.5, 0.25];
        double mean = (3 + 0.25) / 2, radius = Math.Sqrt(Math.Pow((3 - 0.25) / 2, 2) + 1.5 * 1.5);

        var (values, vectors) = SymmetricEigen.Decompose(matrix, 2);

        Assert.AreEqual(mean - radius, values[0], 1e-14);
        Assert.AreEqual(mean + radius, values[1], 1e-14);
        AssertDecomposition(matrix, 2, values, vectors);
    }

    [TestMethod]
    public void DiagonalMatrixGivesItsDiagonalSortedAndUnitVectors()
    {
        double[] diagonal = [4, -2, 0, 7.5, 1e-3, -2.5];
        int n = diagonal.Length;
        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            matrix[i * n + i] = diagonal[i];
        }

        var (values, vectors) = SymmetricEigen.Decompose(matrix, n);

        CollectionAssert.AreEqual(diagonal.Order().ToArray(), values);
        for (int j = 0; j < n; j++)
        {
            int source = Array.IndexOf(diagonal, values[j]);
            for (int i = 0; i < n; i++)
            {
                Assert.AreEqual(i == source ? 1.0 : 0.0, Math.Abs(vectors[i * n + j]), 0, $"vector {j}, entry {i}");
            }
        }
    }

    [TestMethod]
    [DataRow(5, 1.0)]
    [DataRow(60, 1.0)]
    [DataRow(40, 1e-150)]
    [DataRow(40, 1e150)]
    public void ConstructedSpectrumIsRecovered(int n, double magnitude)
    {
        var random = new Random(7 * n);
        double[] spectrum = [.. Enumerable.Range(0, n).Select(_ => (random.NextDouble() * 20 - 10) * magnitude)];
        var matrix = Construct(RandomOrthogonal(n, random), spectrum, n);

        var (values, vectors) = SymmetricEigen.Decompose(matrix, n);

        AssertValues(spectrum, values);
        AssertDecomposition(matrix, n, values, vectors);
    }

    [TestMethod]
    public void RepeatedEigenvaluesGiveAnOrthonormalBasisOfEachEigenspace()
    {
        const int n = 30;
        var random = new Random(11);
        // Three clusters of exactly equal values, of multiplicities 12, 10 and 8.
        double[] spectrum = [.. Enumerable.Range(0, n).Select(i => i < 12 ? 2.0 : i < 22 ? -1.0 : 5.0)];
        var matrix = Construct(RandomOrthogonal(n, random), spectrum, n);

        var (values, vectors) = SymmetricEigen.Decompose(matrix, n);

        AssertValues(spectrum, values);
        AssertDecomposition(matrix, n, values, vectors);
    }

    [TestMethod]
    public void RankDeficientCovarianceHasZeroEigenvaluesAndNoNegativeOnes()
    {
        // 10 samples in 50 dimensions: the centred covariance has rank 9, so 41 eigenvalues are 0 up to rounding.
        const int n = 50, samples = 10;
        var random = new Random(5);
        var x = new double[samples, n];
        for (int s = 0; s < samples; s++)
        {
            for (int d = 0; d < n; d++)
            {
                x[s, d] = random.NextDouble() * 4 - 1 + d * 0.1;
            }
        }
        var mean = new double[n];
        for (int d = 0; d < n; d++)
        {
            for (int s = 0; s < samples; s++)
            {
                mean[d] += x[s, d] / samples;
            }
        }
        var covariance = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int s = 0; s < samples; s++)
                {
                    covariance[i * n + j] += (x[s, i] - mean[i]) * (x[s, j] - mean[j]) / samples;
                }
            }
        }

        var (values, vectors) = SymmetricEigen.Decompose(covariance, n);

        AssertDecomposition(covariance, n, values, vectors);
        AssertTraceAndFrobenius(covariance, n, values);
        double largest = values.Max(Math.Abs);
        Assert.AreEqual(41, values.Count(v => Math.Abs(v) <= 1e-12 * largest), string.Join(", ", values));
        Assert.IsTrue(values.Skip(41).All(v => v > 1e-6 * largest), "the 9 others are clearly positive");
    }

    [TestMethod]
    public void SecondDifferenceMatrixHasItsKnownSpectrum()
    {
        // tridiag(-1, 2, -1) of order n: lambda_k = 2 - 2 cos(k pi / (n + 1)), k = 1 ... n.
        const int n = 100;
        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            matrix[i * n + i] = 2;
            if (i + 1 < n)
            {
                matrix[i * n + i + 1] = matrix[(i + 1) * n + i] = -1;
            }
        }

        var (values, vectors) = SymmetricEigen.Decompose(matrix, n);

        AssertValues([.. Enumerable.Range(1, n).Select(k => 2 - 2 * Math.Cos(k * Math.PI / (n + 1)))], values);
        AssertDecomposition(matrix, n, values, vectors);
    }

    [TestMethod]
    public void ZeroMatrixGivesZerosAndTheIdentity()
    {
        const int n = 4;
        var (values, vectors) = SymmetricEigen.Decompose(new double[n * n], n);

        CollectionAssert.AreEqual(new double[n], values);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.AreEqual(i == j ? 1.0 : 0.0, vectors[i * n + j]);
            }
        }
    }

    [TestMethod]
    public void EmptyMatrixGivesEmptyResults()
    {
        var (values, vectors) = SymmetricEigen.Decompose([], 0);

        Assert.IsEmpty(values);
        Assert.IsEmpty(vectors);
    }

    [TestMethod]
    public void NaNGivesNaNInsteadOfLooping()
    {
        double[] matrix = [1, 2, 0, 2, double.NaN, 1, 0, 1, 3];

        var (values, _) = SymmetricEigen.Decompose(matrix, 3);

        Assert.IsTrue(values.Any(double.IsNaN));
    }

    /// <summary>max |A V - V diag(values)| and max |V^T V - I| against <see cref="Tolerance"/> x ||A||_F; ascending values.</summary>
    private static void AssertDecomposition(double[] a, int n, double[] values, double[] vectors)
    {
        Assert.HasCount(n, values);
        Assert.HasCount(n * n, vectors);
        double norm = Math.Sqrt(a.Sum(x => x * x));
        double worstResidual = 0, worstOrthogonality = 0;
        for (int j = 0; j < n; j++)
        {
            if (j > 0)
            {
                Assert.IsLessThanOrEqualTo(values[j], values[j - 1], "ascending");
            }
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int k = 0; k < n; k++)
                {
                    av += a[i * n + k] * vectors[k * n + j];
                }
                worstResidual = Math.Max(worstResidual, Math.Abs(av - vectors[i * n + j] * values[j]));

                double dot = 0;
                for (int k = 0; k < n; k++)
                {
                    dot += vectors[k * n + i] * vectors[k * n + j];
                }
                worstOrthogonality = Math.Max(worstOrthogonality, Math.Abs(dot - (i == j ? 1 : 0)));
            }
        }
        Assert.IsLessThanOrEqualTo(Tolerance * norm, worstResidual, "A V = V diag(values)");
        Assert.IsLessThanOrEqualTo(Tolerance, worstOrthogonality, "V^T V = I");
    }

    /// <summary>sum(values) = trace(A) and sum(values^2) = ||A||_F^2, the similarity invariants.</summary>
    private static void AssertTraceAndFrobenius(double[] a, int n, double[] values)
    {
        double trace = Enumerable.Range(0, n).Sum(i => a[i * n + i]);
        double squares = a.Sum(x => x * x);
        double norm = Math.Sqrt(squares);
        Assert.AreEqual(trace, values.Sum(), Tolerance * norm, "trace");
        Assert.AreEqual(squares, values.Sum(v => v * v), Tolerance * squares, "Frobenius norm squared");
    }

    private static void AssertValues(double[] expected, double[] actual)
    {
        var sorted = expected.Order().ToArray();
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < sorted.Length; i++)
        {
            Assert.AreEqual(sorted[i], actual[i], Tolerance * scale, $"eigenvalue {i}");
        }
    }

    /// <summary>Q diag(spectrum) Q^T, row-major.</summary>
    private static double[] Construct(double[,] q, double[] spectrum, int n)
    {
        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += q[i, k] * spectrum[k] * q[j, k];
                }
                matrix[i * n + j] = sum;
            }
        }
        return matrix;
    }

    /// <summary>An orthogonal matrix from modified Gram-Schmidt, applied twice, on the columns of a random one.</summary>
    private static double[,] RandomOrthogonal(int n, Random random)
    {
        var q = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                q[i, j] = random.NextDouble() * 2 - 1;
            }
        }
        for (int pass = 0; pass < 2; pass++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int k = 0; k < j; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < n; i++)
                    {
                        dot += q[i, k] * q[i, j];
                    }
                    for (int i = 0; i < n; i++)
                    {
                        q[i, j] -= dot * q[i, k];
                    }
                }
                double norm = 0;
                for (int i = 0; i < n; i++)
                {
                    norm += q[i, j] * q[i, j];
                }
                norm = Math.Sqrt(norm);
                for (int i = 0; i < n; i++)
                {
                    q[i, j] /= norm;
                }
            }
        }
        return q;
    }
}
