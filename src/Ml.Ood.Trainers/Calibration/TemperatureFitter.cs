namespace Ml.Ood;

/// <summary>
/// The temperature T that minimises the mean negative log-likelihood (NLL) of softmax(z / T) on labelled rows (Guo et al.,
/// ICML 2017), to convergence in double. With beta = 1 / T the NLL, mean_i [LSE(beta z_i) - beta z_i,y_i], is convex in
/// beta: its derivative, mean_i [E_p(z_i) - z_i,y_i] (p = softmax(beta z_i)), rises from its value at beta = 0 towards
/// mean_i [max z_i - z_i,y_i], and its second derivative is the mean variance of z_i under p. So a unique minimiser
/// beta &gt; 0 exists exactly when the first is negative (the logits rank the labels above the row mean) and the last
/// positive (some row's label is not its largest logit); otherwise <see cref="Fit"/> says which one fails.
/// </summary>
/// <remarks>
/// The root of the derivative is bracketed (doubling from beta = 1) and found by Newton's method, falling back to bisection
/// whenever a Newton step leaves the bracket or does not halve the previous step (Numerical Recipes' rtsafe): the bracket
/// shrinks every step, so the search stops on its tolerance, not on an iteration count. OpenOOD's fit (LBFGS, lr 0.01, 50
/// iterations from T = 1.5) stops short of this optimum.
/// </remarks>
internal static class TemperatureFitter
{
    /// <summary>Relative tolerance on beta: a few units of double's last place.</summary>
    private const double Tolerance = 1e-14;

    /// <summary>Why no temperature fits.</summary>
    public enum Failure
    {
        None,

        /// <summary>The derivative at beta = 0 is not negative: the NLL is lowest at T = infinity (or flat).</summary>
        NoSignal,

        /// <summary>Every row's label is its largest logit: the NLL falls as T goes to 0 and has no minimum.</summary>
        Separable,
    }

    /// <summary>The fitted temperature and the NLL there, or why there is none.</summary>
    public readonly record struct Result(double Temperature, double NegativeLogLikelihood, Failure Failure);

    /// <summary>Fits T on rows of <paramref name="classes"/> logits (row-major), one 0-based label in range per row.</summary>
    public static Result Fit(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes)
    {
        if (Evaluate(logits, labels, classes, 0).Slope >= 0)
        {
            return new(double.NaN, double.NaN, Failure.NoSignal);
        }

        if (EveryLabelIsARowMaximum(logits, labels, classes))
        {
            return new(double.NaN, double.NaN, Failure.Separable);
        }

        double low = 0, high = 1;
        while (Evaluate(logits, labels, classes, high).Slope < 0)
        {
            (low, high) = (high, 2 * high);
        }

        double beta = 0.5 * (low + high), previousStep = high - low, step = previousStep;
        while (true)
        {
            var at = Evaluate(logits, labels, classes, beta);
            if (at.Slope == 0)
            {
                break;
            }

            (low, high) = at.Slope < 0 ? (beta, high) : (low, beta);
            double newton = beta - at.Slope / at.Curvature;
            bool useNewton = at.Curvature > 0 && newton > low && newton < high && Math.Abs(newton - beta) < 0.5 * Math.Abs(previousStep);
            double next = useNewton ? newton : 0.5 * (low + high);
            (previousStep, step) = (step, next - beta);
            if (next == beta || Math.Abs(step) <= Tolerance * next || high - low <= Tolerance * high)
            {
                beta = next;
                break;
            }

            beta = next;
        }

        return new(1 / beta, NegativeLogLikelihood(logits, labels, classes, 1 / beta), Failure.None);
    }

    /// <summary>The mean NLL of softmax(z / <paramref name="temperature"/>) over the rows.</summary>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, double temperature)
        => Evaluate(logits, labels, classes, 1 / temperature).Value;

    private static bool EveryLabelIsARowMaximum(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            var row = logits.Slice(i * classes, classes);
            if (row[labels[i]] < System.Numerics.Tensors.TensorPrimitives.Max(row))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The mean NLL at beta and its first two derivatives in beta, each row shifted by its largest scaled logit.</summary>
    private static (double Value, double Slope, double Curvature) Evaluate(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, double beta)
    {
        Span<double> weights = classes <= 1024 ? stackalloc double[classes] : new double[classes];
        double value = 0, slope = 0, curvature = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = logits.Slice(i * classes, classes);
            double max = double.NegativeInfinity;
            foreach (float z in row)
            {
                max = Math.Max(max, beta * z);
            }

            double sum = 0, first = 0;
            for (int c = 0; c < classes; c++)
            {
                weights[c] = Math.Exp(beta * row[c] - max);
                sum += weights[c];
                first += weights[c] * row[c];
            }

            // The variance as the mean squared deviation, not E(z^2) - E(z)^2, which cancels when p is peaked.
            double mean = first / sum, spread = 0;
            for (int c = 0; c < classes; c++)
            {
                double d = row[c] - mean;
                spread += weights[c] * d * d;
            }

            double label = row[labels[i]];
            value += max + Math.Log(sum) - beta * label;
            slope += mean - label;
            curvature += spread / sum;
        }

        int n = labels.Length;
        return (value / n, slope / n, curvature / n);
    }
}
