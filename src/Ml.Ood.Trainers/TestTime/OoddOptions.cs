namespace Ml.Ood;

/// <summary>
/// Settings of <see cref="OoddEstimator"/> (Yang et al., CVPR 2025; zxk1212/OODD). The defaults are the paper's ImageNet
/// settings (bash.sh): K1 = K2 = 100, q = 2,048, B = 512, alpha = 0.5; CIFAR-10 uses K1 = K2 = 5, q = 128 and CIFAR-100
/// K1 = 10, q = 512.
/// </summary>
public sealed class OoddOptions
{
    /// <summary>The score column to write (higher = OOD).</summary>
    public string OutputColumnName { get; set; } = "OoddScore";

    /// <summary>The feature column (known-size vector of Single) the bank is built from and the stream is read from; required.</summary>
    public required string FeatureColumnName { get; set; }

    /// <summary>The class label column of the training rows (a key or whole numbers); used when <see cref="Alpha"/> &lt; 1.</summary>
    public string? LabelColumnName { get; set; }

    /// <summary>The classifier's logits of the training rows (vector of Single), whose softmax maximum ranks them; used when <see cref="Alpha"/> &lt; 1.</summary>
    public string? LogitsColumnName { get; set; }

    /// <summary>
    /// The fraction (0, 1] of training rows the bank keeps, in the informative order (per class by MSP descending, classes
    /// interleaved rank by rank); 0.5 by default, 1 keeps every row (and needs no label or logits column).
    /// </summary>
    public double Alpha { get; set; } = 0.5;

    /// <summary>The bank neighbour rank for s_id (1 = most similar); 100 by default.</summary>
    public int K1 { get; set; } = 100;

    /// <summary>The dictionary neighbour rank for s_ood; 100 by default, at most <see cref="Capacity"/>.</summary>
    public int K2 { get; set; } = 100;

    /// <summary>q: the most rows the dictionary holds; 2,048 by default.</summary>
    public int Capacity { get; set; } = 2048;

    /// <summary>B: the rows scored between dictionary updates; 512 by default. It changes the scores (a hyperparameter).</summary>
    public int UpdateBatch { get; set; } = 512;

    /// <summary>Device, CPU fallback and rows per ONNX Runtime call (speed only); null for the catalog's.</summary>
    public OodExecutionOptions? Execution { get; set; }

    internal OoddOptions Copy() => (OoddOptions)MemberwiseClone();

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(FeatureColumnName);
        if (!(Alpha > 0 && Alpha <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, OodErrors.Format(OodErrors.OoddAlphaOutOfRange, Alpha));
        }

        if (Alpha < 1 && (string.IsNullOrWhiteSpace(LabelColumnName) || string.IsNullOrWhiteSpace(LogitsColumnName)))
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.OoddSamplingNeedsColumns, Alpha), nameof(LabelColumnName));
        }

        Positive(K1, nameof(K1));
        Positive(K2, nameof(K2));
        Positive(Capacity, nameof(Capacity));
        Positive(UpdateBatch, nameof(UpdateBatch));
        if (K2 > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(K2), K2, OodErrors.Format(OodErrors.OoddK2AboveCapacity, K2, Capacity));
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, OodErrors.Format(OodErrors.OoddSettingTooSmall, name, value));
        }
    }
}
