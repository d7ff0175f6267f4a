namespace Ml.Ood.Evaluators;

/// <summary>In-place ascending sort of finite floats, the one sort every rank metric stands on.</summary>
internal static class FloatSort
{
    public static void Ascending(float[] values) => values.AsSpan().Sort();
}
