namespace Ml.Ood;

/// <summary>The OODD head's settings (Yang et al., CVPR 2025): what defines its scores, saved with the model.</summary>
/// <param name="K1">The bank neighbour rank whose cosine is the in-distribution similarity s_id.</param>
/// <param name="K2">The dictionary neighbour rank whose cosine is the OOD similarity s_ood.</param>
/// <param name="Capacity">q: the most rows the dictionary holds (those with the lowest s_id seen so far).</param>
/// <param name="UpdateBatch">B: the rows scored between dictionary updates; a result-defining hyperparameter.</param>
/// <param name="BankRows">How many in-distribution rows the bank kept.</param>
/// <param name="Alpha">The fraction of the informatively ordered training rows the bank kept.</param>
[OodHeadKind(OoddSettings.Kind)]
public sealed record OoddSettings(int K1, int K2, int Capacity, int UpdateBatch, int BankRows, double Alpha) : OodHeadSettings
{
    /// <summary>The head's kind, <c>mlood.head = oodd</c>.</summary>
    public const string Kind = "oodd";
}
