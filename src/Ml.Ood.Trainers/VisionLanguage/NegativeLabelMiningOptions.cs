namespace Ml.Ood;

/// <summary>Settings of <see cref="NegativeLabelMiningEstimator"/>; defaults follow the NegLabel paper on ImageNet-1k except the groups.</summary>
public sealed class NegativeLabelMiningOptions
{
    /// <summary>The score column to write.</summary>
    public string OutputColumnName { get; set; } = "NegLabelScore";

    /// <summary>The image embedding column (known-size vector of Single); required.</summary>
    public required string InputColumnName { get; set; }

    /// <summary>How many negative labels to keep (M); null keeps every candidate. 10,000 in the paper.</summary>
    public int? Count { get; set; } = NegativeLabelMiner.DefaultCount;

    /// <summary>The quantile q of a word's similarities to the classes that ranks it; 1 (the maximum) in the authors' code.</summary>
    public double Quantile { get; set; } = 1;

    /// <summary>The temperature tau; 0.01 in the paper.</summary>
    public float Temperature { get; set; } = 0.01f;

    /// <summary>The number of groups G (1 = no grouping; the paper uses 100 with a shuffle). Capped at the number of picked words.</summary>
    public int Groups { get; set; } = 1;

    /// <summary>Shuffle the picked words with this seed before grouping; null keeps the selection's order (nouns, then adjectives).</summary>
    public int? ShuffleSeed { get; set; }

    /// <summary>Device, CPU fallback and rows per ONNX Runtime call; null for the catalog's.</summary>
    public OodExecutionOptions? Execution { get; set; }

    /// <summary>A copy, so that changing these options after the estimator was made does not change the estimator.</summary>
    internal NegativeLabelMiningOptions Copy() => (NegativeLabelMiningOptions)MemberwiseClone();

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(InputColumnName);
        if (Count is int m && m < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Count), m, OodErrors.Format(OodErrors.NegativeCountTooSmall, m));
        }

        if (!(Quantile >= 0 && Quantile <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Quantile), Quantile, OodErrors.Format(OodErrors.QuantileOutOfRange, Quantile));
        }

        if (Groups < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Groups), Groups, OodErrors.Format(OodErrors.GroupsTooFew, Groups));
        }

        Temperatures.Check(Temperature, nameof(Temperature));
    }
}
