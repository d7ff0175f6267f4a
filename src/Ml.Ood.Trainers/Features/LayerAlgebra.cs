namespace Ml.Ood;

/// <summary>The classifier layer's algebra in double, for fitting: logits of one row and the pseudo-inverse applied to b.</summary>
internal static class LayerAlgebra
{
    /// <summary>The spacing of doubles at 1 (numpy's finfo(float64).eps).</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>W h + b, in double.</summary>
    public static void Logits(OodClassifierLayer layer, ReadOnlySpan<float> h, Span<double> logits)
    {
        var weights = layer.Weights.Span;
        var bias = layer.Bias.Span;
        int features = layer.Features;
        for (int c = 0; c < layer.Classes; c++)
        {
            double sum = bias[c];
            var row = weights.Slice(c * features, features);
            for (int d = 0; d < features; d++)
            {
                sum += (double)row[d] * h[d];
            }

            logits[c] = sum;
        }
    }

    /// <summary>
    /// pinv(W) b, [D], through the eigen-decomposition of the smaller Gram matrix: W^T (W W^T)^+ b when C &lt;= D, otherwise
    /// (W^T W)^+ W^T b. Eigenvalues at or below max(C, D) * eps * the largest count as zero (scipy's pinvh cutoff, applied to
    /// the squared singular values).
    /// </summary>
    public static double[] PseudoInverseTimesBias(OodClassifierLayer layer)
    {
        int classes = layer.Classes, features = layer.Features;
        var w = layer.Weights.Span;
        var b = layer.Bias.Span;
        bool wide = classes <= features;
        int n = wide ? classes : features;
        var gram = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                int terms = wide ? features : classes;
                for (int k = 0; k < terms; k++)
                {
                    sum += wide
                        ? (double)w[i * features + k] * w[j * features + k]
                        : (double)w[k * features + i] * w[k * features + j];
                }

                gram[i * n + j] = sum;
            }
        }
        // The vector the Gram's pseudo-inverse is applied to: b itself (wide) or W^T b.
        var target = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (wide)
            {
                target[i] = b[i];
            }
            else
            {
                for (int c = 0; c < classes; c++)
                {
                    target[i] += (double)w[c * features + i] * b[c];
                }
            }
        }
        var solved = ApplyPseudoInverse(gram, n, target, Math.Max(classes, features));
        if (!wide)
        {
            return solved;
        }

        var result = new double[features];
        for (int d = 0; d < features; d++)
        {
            for (int c = 0; c < classes; c++)
            {
                result[d] += (double)w[c * features + d] * solved[c];
            }
        }
        return result;
    }

    /// <summary>G^+ v for a symmetric positive semi-definite G [n, n].</summary>
    private static double[] ApplyPseudoInverse(double[] gram, int n, double[] v, int size)
    {
        var (values, vectors) = SymmetricEigen.Decompose(gram, n);
        double cutoff = size * MachineEpsilon * values.Max(Math.Abs);
        var result = new double[n];
        for (int j = 0; j < n; j++)
        {
            if (!(values[j] > cutoff))
            {
                continue;
            }

            double projection = 0;
            for (int i = 0; i < n; i++)
            {
                projection += vectors[i * n + j] * v[i];
            }

            projection /= values[j];
            for (int i = 0; i < n; i++)
            {
                result[i] += vectors[i * n + j] * projection;
            }
        }
        return result;
    }
}
