namespace Ml.Ood;

/// <summary>
/// The settings of AdaNeg (Zhang et al., NeurIPS 2024), the test-time head that keeps a memory of test image features
/// per class label and per negative label. Defaults are the official code's (github YBZh/OpenOOD-VLM,
/// <c>scripts/ood/adaneg/imagenet.sh</c>).
/// </summary>
/// <remarks>
/// With c the grouped NegLabel confidence of a row (the share of the softmax on the class labels, averaged over groups),
/// the row enters the memory of its predicted class when c &gt; <see cref="Threshold"/> + <see cref="Gap"/> (1 -
/// <see cref="Threshold"/>) and the memory of its nearest negative label when c &lt; <see cref="Threshold"/> -
/// <see cref="Gap"/> <see cref="Threshold"/> (0.75 and 0.25 by default).
/// </remarks>
public sealed class AdaNegOptions
{
    /// <summary>L, the memory length per label (<c>memleng</c>, default 10). As in the official code the text embedding
    /// takes one of the L + 1 slots and a label's memory counts as full after L - 1 image features, so L = 1 never adapts.</summary>
    public int MemoryLength { get; set; } = 10;

    /// <summary>The confidence threshold in (0, 1) (<c>thres</c>, default 0.5).</summary>
    public float Threshold { get; set; } = 0.5f;

    /// <summary>The gap in [0, 1) (<c>gap</c>, default 0.5): the share of the way from the threshold to 1 (to 0) that
    /// a row's confidence must clear to enter an ID (a negative) memory.</summary>
    public float Gap { get; set; } = 0.5f;

    /// <summary>lambda, the weight of the vanilla grouped NegLabel confidence added to the adaptive one (<c>lambdaval</c>,
    /// default 0.1).</summary>
    public float Lambda { get; set; } = 0.1f;

    /// <summary>G, the number of groups of negatives (<c>group_num</c>, default 5); the last M mod G negatives are dropped
    /// from the scores (their memories are still kept, as in the official code).</summary>
    public int Groups { get; set; } = 5;

    /// <summary>tau &gt; 0, the temperature that divides the cosines (default 0.01: CLIP's logit scale of 100).</summary>
    public float Temperature { get; set; } = 0.01f;

    /// <summary>B, the rows that update the memories before they are scored (default 256, the official test batch size).
    /// It changes the scores: it is a setting of the head, saved with it.</summary>
    public int UpdateBatch { get; set; } = 256;

    /// <summary>Shuffle the kept negatives with this seed before grouping them; null (the default) keeps the given order.
    /// The official code permutes them with <c>torch.randperm</c> (seed 0), which .NET cannot reproduce.</summary>
    public int? ShuffleSeed { get; set; }

    /// <summary>
    /// beta of the sample-adaptive proxies (the official <c>samada = True</c>), or null (the default: <c>samada = False</c>,
    /// each label's proxy is the renormalised mean of its memory). With beta set, each row is scored against its own proxy
    /// per label, sum_k exp(-beta (1 - cos(slot_k, row))) slot_k renormalised, over the label's L + 1 slots. The official
    /// script's second run passes 5.5, which the postprocessor truncates (<c>int(args.beta)</c>): 5. From 0 (every stored
    /// feature weighs the same: the mean proxy) to 100. Costs about L + 1 times the vanilla cosines per batch for every
    /// label that stored rows.
    /// </summary>
    public int? SampleAdaptiveBeta { get; set; }

    /// <summary>A copy, so that later changes to these options do not reach a built head.</summary>
    internal AdaNegOptions Copy() => (AdaNegOptions)MemberwiseClone();

    /// <summary>Throws, naming the parameter, when a setting is outside its range; <paramref name="negatives"/> is M.</summary>
    internal void Check(int negatives)
    {
        if (MemoryLength < 1)
        {
            throw new ArgumentOutOfRangeException(Name(nameof(MemoryLength)), MemoryLength, OodErrors.Format(OodErrors.AdaNegMemoryLengthOutOfRange, MemoryLength));
        }
        if (!(Threshold > 0 && Threshold < 1))
        {
            throw new ArgumentOutOfRangeException(Name(nameof(Threshold)), Threshold, OodErrors.Format(OodErrors.AdaNegThresholdOutOfRange, Threshold));
        }
        if (!(Gap >= 0 && Gap < 1))
        {
            throw new ArgumentOutOfRangeException(Name(nameof(Gap)), Gap, OodErrors.Format(OodErrors.AdaNegGapOutOfRange, Gap));
        }
        if (!float.IsFinite(Lambda))
        {
            throw new ArgumentOutOfRangeException(Name(nameof(Lambda)), Lambda, OodErrors.Format(OodErrors.AdaNegLambdaNotFinite, Lambda));
        }
        if (Groups < 1 || Groups > negatives)
        {
            throw new ArgumentOutOfRangeException(Name(nameof(Groups)), Groups, OodErrors.Format(OodErrors.AdaNegGroupsOutOfRange, Groups, negatives));
        }
        if (UpdateBatch < 1)
        {
            throw new ArgumentOutOfRangeException(Name(nameof(UpdateBatch)), UpdateBatch, OodErrors.Format(OodErrors.AdaNegUpdateBatchOutOfRange, UpdateBatch));
        }
        Temperatures.Check(Temperature, Name(nameof(Temperature)));
        if (SampleAdaptiveBeta is int beta && beta is < 0 or > MaxBeta)
        {
            throw new ArgumentOutOfRangeException(Name(nameof(SampleAdaptiveBeta)), beta, OodErrors.Format(OodErrors.AdaNegSampleAdaptiveBetaOutOfRange, beta, MaxBeta));
        }
    }

    /// <summary>The largest beta: exp(-beta (1 - cos)) stays far above double's smallest value for every cosine.</summary>
    internal const int MaxBeta = 100;

    private static string Name(string property) => nameof(AdaNegOptions) + "." + property;
}
