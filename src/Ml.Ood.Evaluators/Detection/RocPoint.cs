namespace Ml.Ood;

/// <summary>One point of a ROC curve with OOD as the positive class.</summary>
/// <param name="Threshold">Rows with score &gt;= this value are flagged as OOD (+infinity for the first point).</param>
/// <param name="FalsePositiveRate">Fraction of in-distribution rows flagged at this threshold.</param>
/// <param name="TruePositiveRate">Fraction of out-of-distribution rows flagged at this threshold.</param>
public readonly record struct RocPoint(double Threshold, double FalsePositiveRate, double TruePositiveRate);
