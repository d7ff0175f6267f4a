using System.Numerics;

namespace Ml.Ood.Evaluators.Common;

/// <summary>
/// In-place ascending sort of finite scores, the one sort every rank metric stands on. Generic so that Single
/// and Double scores share one code path; the JIT compiles a separate copy per type, so Single pays nothing.
/// </summary>
internal static class ScoreSort
{
    public static void Ascending<T>(T[] values)
        where T : struct, IFloatingPointIeee754<T> => values.AsSpan().Sort();
}
