namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// A test-time head's live state: a managed state machine (around stateless ONNX Runtime sessions or SIMD code) whose
/// scores depend on the rows scored before. The fitted head holds a starting state that never changes; every cursor
/// and every streaming scorer advances its own <see cref="Clone"/> of it (docs/TEST-TIME-HEADS.md).
/// </summary>
internal abstract class TestTimeState : IDisposable
{
    /// <summary>The saved form's discriminator, e.g. "oodd" or "adaneg": <see cref="Write"/> writes it first.</summary>
    public abstract string Kind { get; }

    /// <summary>The input vector's width D.</summary>
    public abstract int Width { get; }

    /// <summary>B: the stream is cut into update batches of exactly B rows (the last one may be short).</summary>
    public abstract int UpdateBatch { get; }

    /// <summary>Rows scored since the starting state.</summary>
    public abstract long RowsSeen { get; }

    /// <summary>
    /// Scores one update batch in stream order and advances the state. <paramref name="rows"/>: count x
    /// <see cref="Width"/> values, row-major; 1 &lt;= count &lt;= <see cref="UpdateBatch"/>; <paramref name="scores"/>:
    /// at least count values (higher = OOD).
    /// </summary>
    public abstract void ScoreBatch(ReadOnlySpan<float> rows, int count, Span<float> scores);

    /// <summary>A deep copy of the current state (it may share immutable parts, such as a bank or a session).</summary>
    public abstract TestTimeState Clone();

    /// <summary>
    /// Writes the whole state, settings included, starting with <see cref="Kind"/>; read back by
    /// <see cref="TestTimeStates.Read"/> through the reader registered for the kind.
    /// </summary>
    public abstract void Write(BinaryWriter writer);

    /// <summary>
    /// This state (read back from a snapshot) over <paramref name="starting"/>'s shared parts, when both are of the same
    /// head (kind, settings, bank or initial memory); null otherwise, and a streaming scorer then refuses the snapshot.
    /// A kind that does not override it cannot have snapshots loaded into a scorer.
    /// </summary>
    internal virtual TestTimeState? OnSharedPartsOf(TestTimeState starting) => null;

    /// <summary>Releases what the state owns (shared parts are released by their owner).</summary>
    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }
}
