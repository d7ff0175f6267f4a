namespace Ml.Ood;

// OODD's vision-language variant (s_id = the MCM or the NegLabel confidence): its options. Its state, update batches and
// saved form share OODD's messages (OodErrors.TestTime.cs). Also AdaNeg's sample-adaptive option (samada), added with it.
public static partial class OodErrors
{
    /// <summary>The NegLabel confidence asked for without negative labels.</summary>
    public const string OoddVisionLanguageNeedsNegatives =
        "OoddVisionLanguageOptions.Confidence = NegativeLabels computes s_id as NegLabel's grouped confidence, which needs the " +
        "negative labels' text embeddings: set NegativeLabelEmbeddings (NegMining picks them), or set Confidence = Mcm.";

    /// <summary>Negative labels given to the MCM confidence, which would ignore them.</summary>
    public const string OoddVisionLanguageUnusedNegatives =
        "OoddVisionLanguageOptions.NegativeLabelEmbeddings is set but Confidence = Mcm ignores negative labels: set " +
        "Confidence = NegativeLabels to use them, or leave NegativeLabelEmbeddings null.";

    /// <summary>A count setting below 1. {0}: the setting, {1}: the value.</summary>
    public const string OoddVisionLanguageSettingTooSmall =
        "OoddVisionLanguageOptions.{0} must be at least 1; got {1}. The official code uses K2 = 5, Capacity = 2048, " +
        "UpdateBatch = 64.";

    /// <summary>K2 above the capacity. {0}: K2, {1}: capacity.</summary>
    public const string OoddVisionLanguageK2AboveCapacity =
        "OoddVisionLanguageOptions.K2 = {0} exceeds Capacity = {1}: the dictionary never holds a K2-th neighbour. Lower K2 " +
        "or raise Capacity.";

    /// <summary>Groups outside [1, M]. {0}: the value, {1}: the number of negative labels.</summary>
    public const string OoddVisionLanguageGroupsOutOfRange =
        "OoddVisionLanguageOptions.Groups must be between 1 and the number of negative labels ({1}): the last M mod G " +
        "negatives are dropped and the rest split into G equal groups; got {0}. The official NegLabel + OODD config uses " +
        "100 groups of ImageNet's 10,000 negatives.";

    /// <summary>A non-positive or non-finite temperature. {0}: the value.</summary>
    public const string OoddVisionLanguageTemperature =
        "OoddVisionLanguageOptions.Temperature must be a positive finite number, or null for the official value (1 for " +
        "MCM, 0.01 for NegLabel); got {0}.";

    /// <summary>AdaNeg's sample-adaptive beta outside [0, max]. {0}: the value, {1}: the largest allowed.</summary>
    public const string AdaNegSampleAdaptiveBetaOutOfRange =
        "AdaNegOptions.SampleAdaptiveBeta must be between 0 and {1} (the sharpness of the weights exp(-beta (1 - cos)) of a " +
        "label's memory slots); got {0}. The official script passes 5.5, which its postprocessor truncates to 5; null " +
        "scores against the mean proxies (samada = False).";
}
