namespace Ml.Ood;

/// <summary>What <c>ml.Ood().Verify(path)</c> checked in a saved model.</summary>
public sealed class OodModelVerification
{
    internal OodModelVerification(int entryCount, IReadOnlyList<OodVerifiedHead> heads)
    {
        EntryCount = entryCount;
        Heads = heads;
    }

    /// <summary>The .zip entries whose CRC-32 and size were checked.</summary>
    public int EntryCount { get; }

    /// <summary>Every MlOod head in the model, with its settings and graph checked.</summary>
    public IReadOnlyList<OodVerifiedHead> Heads { get; }

    /// <inheritdoc/>
    public override string ToString()
        => $"{EntryCount} entries checked; {Heads.Count} MlOod heads" +
           string.Concat(Heads.Select(h => $"{Environment.NewLine}  {h}"));
}

/// <summary>One MlOod head that <c>ml.Ood().Verify(path)</c> checked.</summary>
/// <param name="Entry">The .zip entry that holds it.</param>
/// <param name="Kind">The head's formula, e.g. <c>knn</c>.</param>
/// <param name="InputColumnName">The column it reads.</param>
/// <param name="OutputColumnName">The column it writes.</param>
/// <param name="HashVerified">True when its content hash matched; false when it has none (saved by an MlOod version without them).</param>
public sealed record OodVerifiedHead(string Entry, string Kind, string InputColumnName, string OutputColumnName, bool HashVerified)
{
    /// <inheritdoc/>
    public override string ToString()
        => $"{Kind}({InputColumnName} -> {OutputColumnName}) in '{Entry}': " + (HashVerified ? "content hash verified" : "no content hash");
}
