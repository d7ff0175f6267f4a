namespace Ml.Ood;

/// <summary>Which vision-language confidence is OODD's s_id (<see cref="OoddVisionLanguageOptions.Confidence"/>).</summary>
public enum OoddConfidence
{
    /// <summary>MCM (Ming et al., NeurIPS 2022): max_i softmax(cos(image, class_i) / T)_i; T = 1 in the official code.</summary>
    Mcm,

    /// <summary>NegLabel (Jiang et al., ICLR 2024): the grouped share of the softmax on the classes; tau = 0.01, 100 groups.</summary>
    NegativeLabels,
}

/// <summary>
/// Settings of <see cref="OoddVisionLanguageEstimator"/>: OODD (Yang et al., CVPR 2025) whose s_id is a vision-language
/// confidence instead of a KNN similarity. The defaults are the official CLIP variants' (zxk1212/OODD,
/// <c>MCM/eval_ood_detection.py</c> and <c>NegLabel/tools/ood_test.py</c>): K2 = 5, q = 2,048, B = 64; T = 1 for MCM,
/// tau = 0.01 and 100 groups for NegLabel.
/// </summary>
public sealed class OoddVisionLanguageOptions
{
    /// <summary>The score column to write (higher = OOD); "OoddScore" by default.</summary>
    public string OutputColumnName { get; set; } = "OoddScore";

    /// <summary>The image embedding column (known-size vector of Single, as wide as the text embeddings); required.</summary>
    public required string ImageColumnName { get; set; }

    /// <summary>One text embedding per in-distribution class, from the same vision-language model as the images; required.</summary>
    public required IReadOnlyList<float[]> IdLabelEmbeddings { get; set; }

    /// <summary>
    /// The negative labels' text embeddings (10,000 mined words in NegLabel; NegMining picks them); required when
    /// <see cref="Confidence"/> is <see cref="OoddConfidence.NegativeLabels"/>, and must be null for MCM.
    /// </summary>
    public IReadOnlyList<float[]>? NegativeLabelEmbeddings { get; set; }

    /// <summary>Which confidence is s_id; <see cref="OoddConfidence.Mcm"/> by default.</summary>
    public OoddConfidence Confidence { get; set; } = OoddConfidence.Mcm;

    /// <summary>The temperature that divides the cosines; null (the default) for the official value: 1 for MCM, 0.01 for NegLabel.</summary>
    public float? Temperature { get; set; }

    /// <summary>NegLabel's number of groups G (the last M mod G negatives are dropped); 100 by default. Ignored by MCM.</summary>
    public int Groups { get; set; } = 100;

    /// <summary>NegLabel: the seed of a shuffle of the negatives before grouping, or null (the default) for the given order.</summary>
    public int? ShuffleSeed { get; set; }

    /// <summary>The dictionary neighbour rank for s_ood; 5 by default (the official code's), at most <see cref="Capacity"/>.</summary>
    public int K2 { get; set; } = 5;

    /// <summary>q: the most rows the dictionary holds (those of lowest confidence); 2,048 by default.</summary>
    public int Capacity { get; set; } = 2048;

    /// <summary>B: the rows scored between dictionary updates; 64 by default. It changes the scores (a hyperparameter).</summary>
    public int UpdateBatch { get; set; } = 64;

    /// <summary>Device, CPU fallback and rows per ONNX Runtime call (speed only); null for the catalog's.</summary>
    public OodExecutionOptions? Execution { get; set; }

    /// <summary>The temperature used: <see cref="Temperature"/>, or the official value for <see cref="Confidence"/>.</summary>
    internal float TemperatureUsed => Temperature ?? (Confidence == OoddConfidence.Mcm ? 1f : 0.01f);

    internal OoddVisionLanguageOptions Copy() => (OoddVisionLanguageOptions)MemberwiseClone();

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(ImageColumnName);
        if (!Enum.IsDefined(Confidence))
        {
            throw new ArgumentOutOfRangeException(Name(nameof(Confidence)), Confidence, null);
        }

        if (Confidence == OoddConfidence.NegativeLabels && NegativeLabelEmbeddings is null)
        {
            throw new ArgumentException(OodErrors.OoddVisionLanguageNeedsNegatives, Name(nameof(NegativeLabelEmbeddings)));
        }

        if (Confidence == OoddConfidence.Mcm && NegativeLabelEmbeddings is not null)
        {
            throw new ArgumentException(OodErrors.OoddVisionLanguageUnusedNegatives, Name(nameof(NegativeLabelEmbeddings)));
        }

        if (Temperature is float t && !(float.IsFinite(t) && t > 0))
        {
            throw new ArgumentOutOfRangeException(Name(nameof(Temperature)), t, OodErrors.Format(OodErrors.OoddVisionLanguageTemperature, t));
        }

        Positive(K2, nameof(K2));
        Positive(Capacity, nameof(Capacity));
        Positive(UpdateBatch, nameof(UpdateBatch));
        if (K2 > Capacity)
        {
            throw new ArgumentOutOfRangeException(Name(nameof(K2)), K2, OodErrors.Format(OodErrors.OoddVisionLanguageK2AboveCapacity, K2, Capacity));
        }
    }

    /// <summary>Groups against the number of negatives given.</summary>
    internal void CheckGroups(int negatives)
    {
        if (Groups < 1 || Groups > negatives)
        {
            throw new ArgumentOutOfRangeException(Name(nameof(Groups)), Groups, OodErrors.Format(OodErrors.OoddVisionLanguageGroupsOutOfRange, Groups, negatives));
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(Name(name), value, OodErrors.Format(OodErrors.OoddVisionLanguageSettingTooSmall, name, value));
        }
    }

    private static string Name(string property) => $"{nameof(OoddVisionLanguageOptions)}.{property}";
}
