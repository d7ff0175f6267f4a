namespace Ml.Ood;

/// <summary>One point of a precision-recall curve.</summary>
/// <param name="Threshold">
/// The score at which the curve is cut: for the OOD-positive curve rows with score &gt;= threshold are
/// retrieved; for the ID-positive curve rows with score &lt;= threshold are. The first point, at recall 0
/// and precision 1, has an infinite threshold (scikit-learn's convention).
/// </param>
/// <param name="Recall">Fraction of the positive class retrieved.</param>
/// <param name="Precision">Fraction of retrieved rows that belong to the positive class.</param>
public readonly record struct PrecisionRecallPoint(double Threshold, double Recall, double Precision);
