using Ml.Ood.Transforms.Execution;
using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood;

/// <summary>
/// Serves a test-time head (OODD) to many callers: one live state behind a lock, advanced in the order the calls take
/// the lock. Create it with <c>ml.Ood().CreateStreamingScorer(model)</c> from a fitted or loaded pipeline.
/// </summary>
/// <remarks>
/// <para>
/// Each <c>Score</c> call is its own stretch of the stream: its rows are cut into update batches of exactly
/// <see cref="UpdateBatch"/> rows (the last may be short), scored in order, and nothing is held back for the next call.
/// So calls from many threads give exactly the scores of a serial replay of the calls in the order they took the lock,
/// and calls of B rows each give the scores <c>Transform</c> gives on the concatenated rows. Rows are the head's input
/// vectors (its input column, e.g. an embedding): run the upstream pipeline first.
/// </para>
/// <para>
/// Scores: higher = OOD; a row with a NaN or infinite value scores NaN and never enters the state (flag it OOD).
/// <see cref="Snapshot"/> copies the live state; <see cref="Save"/> / <see cref="Load"/> write and read one (a snapshot
/// holds the head's bank, so it is as large as the head); <see cref="Reset"/> returns to the fitted starting state.
/// </para>
/// </remarks>
public sealed class OodStreamingScorer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly HeadState _head;
    private readonly TestTimeState _starting;
    private TestTimeState _live;
    private bool _disposed;

    internal OodStreamingScorer(OodTestTimeTransformer transformer)
    {
        _head = transformer.HeadState;
        _head.Lifetime.Acquire();
        _starting = transformer.Starting;
        _live = _starting.Clone();
    }

    /// <summary>The column whose vectors the scorer reads.</summary>
    public string InputColumnName => _head.Info.InputColumnName;

    /// <summary>The width of a row.</summary>
    public int Width => _starting.Width;

    /// <summary>B: the rows scored between state updates.</summary>
    public int UpdateBatch => _starting.UpdateBatch;

    /// <summary>Rows scored since the starting state (or since the snapshot that was loaded).</summary>
    public long RowsSeen
    {
        get
        {
            lock (_gate)
            {
                return _live.RowsSeen;
            }
        }
    }

    /// <summary>Scores rows given one array each, in order, as one stretch of the stream.</summary>
    /// <param name="rows">The rows, each <see cref="Width"/> values.</param>
    /// <returns>One score per row (higher = OOD).</returns>
    public float[] Score(float[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var flat = new float[(long)rows.Length * Width];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i]?.Length != Width)
            {
                throw new ArgumentException(OodErrors.Format(OodErrors.StreamingRowLength, InputColumnName, i, Width, rows[i]?.Length ?? 0), nameof(rows));
            }

            rows[i].CopyTo(flat, (long)i * Width);
        }
        return Score(flat);
    }

    /// <summary>Scores rows laid out row-major (rows x <see cref="Width"/> values), in order, as one stretch of the stream.</summary>
    /// <param name="rows">The rows.</param>
    /// <returns>One score per row (higher = OOD).</returns>
    public float[] Score(ReadOnlySpan<float> rows) => Score(rows, out _);

    /// <summary>
    /// Scores rows laid out row-major, as one stretch of the stream, and says where in the stream they were scored: the
    /// order in which concurrent calls took the lock.
    /// </summary>
    /// <param name="rows">The rows, rows x <see cref="Width"/> values.</param>
    /// <param name="firstRow">The stream position (0-based, since the starting state) of the call's first row.</param>
    /// <returns>One score per row (higher = OOD).</returns>
    public float[] Score(ReadOnlySpan<float> rows, out long firstRow)
    {
        if (rows.Length % Width != 0)
        {
            throw new ArgumentException(OodErrors.Format(OodErrors.StreamingNotWholeRows, InputColumnName, rows.Length, Width), nameof(rows));
        }

        int count = rows.Length / Width;
        var scores = new float[count];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            firstRow = _live.RowsSeen;
            for (int start = 0; start < count; start += UpdateBatch)
            {
                int n = Math.Min(UpdateBatch, count - start);
                _live.ScoreBatch(rows.Slice(start * Width, n * Width), n, scores.AsSpan(start, n));
            }
        }
        return scores;
    }

    /// <summary>An immutable copy of the live state, to save or to score from later.</summary>
    public OodTestTimeSnapshot Snapshot()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new OodTestTimeSnapshot(_live.Clone());
        }
    }

    /// <summary>Writes a snapshot of the live state.</summary>
    /// <param name="stream">Where to write.</param>
    public void Save(Stream stream)
    {
        using var snapshot = Snapshot();
        snapshot.Save(stream);
    }

    /// <summary>
    /// Replaces the live state with one saved by <see cref="Save"/> from a scorer of the same head (same kind, settings and
    /// bank; otherwise <see cref="InvalidDataException"/>, and the live state is unchanged).
    /// </summary>
    /// <param name="stream">Where to read.</param>
    public void Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        using var read = TestTimeStates.Read(reader);
        var adopted = Adopt(read)
            ?? throw new InvalidDataException(OodErrors.Format(OodErrors.StreamingSnapshotOtherHead, read.Kind, _starting.Kind, _head.Info.OutputColumnName));
        Replace(adopted);
    }

    /// <summary>Returns to the fitted starting state.</summary>
    public void Reset() => Replace(_starting.Clone());

    /// <summary>Frees the live state and gives back the scorer's reference to the head.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _live.Dispose();
        }
        _head.Lifetime.Release();
    }

    private TestTimeState? Adopt(TestTimeState read)
        => read is OoddState oodd && _starting is OoddState starting ? oodd.OnBankOf(starting) : null;

    private void Replace(TestTimeState state)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                state.Dispose();
                ObjectDisposedException.ThrowIf(true, this);
            }

            _live.Dispose();
            _live = state;
        }
    }
}
