using System.Text.Json;

namespace Ml.Ood.Tests;

/// <summary>The independent reference values of <c>logit_heads.json</c> (numpy, docs/FORMULAS.md).</summary>
internal sealed record LogitHeadCase(string Head, float? Temperature, double[] Expected)
{
    public override string ToString() => Temperature is float t ? $"{Head}(T={t})" : Head;
}

internal static class LogitHeadReference
{
    public static (float[][] Logits, IReadOnlyList<LogitHeadCase> Cases) Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.ReferenceVector("logit_heads.json")));
        var logits = json.RootElement.GetProperty("logits").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var cases = json.RootElement.GetProperty("cases").EnumerateArray().Select(c => new LogitHeadCase(
            c.GetProperty("head").GetString()!,
            c.TryGetProperty("temperature", out var t) ? t.GetSingle() : null,
            c.GetProperty("score").EnumerateArray().Select(v => v.GetDouble()).ToArray())).ToList();
        return (logits, cases);
    }

    /// <summary>docs/FORMULAS.md's tolerance: 1e-5 absolute, relative for magnitudes above 1.</summary>
    public static void AssertClose(double expected, double actual, string because)
    {
        double tolerance = 1e-5 * Math.Max(1, Math.Abs(expected));
        if (!(Math.Abs(expected - actual) <= tolerance))
        {
            throw new Microsoft.VisualStudio.TestTools.UnitTesting.AssertFailedException(
                $"{because}: expected {expected:R}, got {actual:R} (tolerance {tolerance:G3}).");
        }
    }
}
