namespace Ml.Ood.Evaluators.Benchmarks;

/// <summary>
/// Deterministic synthetic inputs: 1,000,000 scored rows (30% OOD, scores N(0,1) for ID and N(1,1) for
/// OOD, rounded to 1e-4 so that ties occur), 1,000,000 x 10 class scores, 100,000 x 100 multi-label rows.
/// </summary>
internal static class BenchmarkData
{
    public const int Rows = 1_000_000;
    public const int Classes = 10;
    public const int MultiLabelRows = 100_000;
    public const int Labels = 100;

    public static (bool[] IsOod, float[] Scores) Detection(int seed = 42)
    {
        var rng = new Random(seed);
        var isOod = new bool[Rows];
        var scores = new float[Rows];
        for (int i = 0; i < Rows; i++)
        {
            isOod[i] = rng.NextDouble() < 0.3;
            scores[i] = (float)Math.Round(Normal(rng) + (isOod[i] ? 1.0 : 0.0), 4);
        }

        return (isOod, scores);
    }

    public static (float[] Scores, int[] Labels) MultiClass(int seed = 43)
    {
        var rng = new Random(seed);
        var labels = new int[Rows];
        var scores = new float[Rows * Classes];
        for (int i = 0; i < Rows; i++)
        {
            labels[i] = rng.Next(Classes);
            for (int c = 0; c < Classes; c++)
            {
                scores[i * Classes + c] = (float)(Normal(rng) + (c == labels[i] ? 1.5 : 0.0));
            }
        }

        return (scores, labels);
    }

    public static (float[] Scores, bool[] IsPositive) MultiLabel(int seed = 44)
    {
        var rng = new Random(seed);
        var scores = new float[MultiLabelRows * Labels];
        var positive = new bool[MultiLabelRows * Labels];
        for (int i = 0; i < scores.Length; i++)
        {
            positive[i] = rng.NextDouble() < 0.05;
            scores[i] = (float)(Normal(rng) + (positive[i] ? 1.5 : 0.0));
        }

        return (scores, positive);
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
