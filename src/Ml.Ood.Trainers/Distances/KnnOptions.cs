namespace Ml.Ood;

/// <summary>Settings of <see cref="KnnEstimator"/>; the defaults follow Sun et al. (ICML 2022) on CIFAR.</summary>
public sealed class KnnOptions
{
    /// <summary>The score column to write.</summary>
    public string OutputColumnName { get; set; } = "KnnScore";

    /// <summary>The embedding column the bank is built from and queries are read from (known-size vector of Single); required.</summary>
    public required string InputColumnName { get; set; }

    /// <summary>The neighbour rank whose distance is the score; 50 in the paper's CIFAR results, 1 = nearest.</summary>
    public int K { get; set; } = 50;

    /// <summary>Keep each training row in the bank with this probability (0, 1]; null keeps every row.</summary>
    public double? BankFraction { get; set; }

    /// <summary>Keep at most this many rows, sampled uniformly (reservoir sampling); null for no limit.</summary>
    public int? MaxBankRows { get; set; }

    /// <summary>The sampling seed; null uses the MLContext's seed.</summary>
    public int? Seed { get; set; }

    /// <summary>Device, CPU fallback and rows per ONNX Runtime call; null for the catalog's.</summary>
    public OodExecutionOptions? Execution { get; set; }

    /// <summary>A copy, so that changing these options after the estimator was made does not change the estimator.</summary>
    internal KnnOptions Copy() => (KnnOptions)MemberwiseClone();

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(InputColumnName);
        ValidateBank(K, BankFraction, MaxBankRows, nameof(K), nameof(BankFraction), nameof(MaxBankRows));
    }

    /// <summary>The checks of a bank's k and sample, shared with NNGuide, whose parameters have their own names.</summary>
    internal static void ValidateBank(int k, double? bankFraction, int? maxBankRows, string kName, string fractionName, string maxRowsName)
    {
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(kName, k, OodErrors.Format(OodErrors.KTooSmall, k));
        }

        if (bankFraction is double f && !(f > 0 && f <= 1))
        {
            throw new ArgumentOutOfRangeException(fractionName, f, OodErrors.Format(OodErrors.BankFractionOutOfRange, f));
        }

        if (maxBankRows is int rows && rows < 1)
        {
            throw new ArgumentOutOfRangeException(maxRowsName, rows, OodErrors.Format(OodErrors.MaxBankRowsTooSmall, rows));
        }
    }
}
