using Ml.Ood.Transforms.TestTime;

namespace Ml.Ood;

/// <summary>
/// An immutable copy of a test-time head's state, taken by <see cref="OodStreamingScorer.Snapshot"/>: how many rows it
/// has seen, and its saved form (<see cref="Save"/>, read back by <see cref="OodStreamingScorer.Load"/>).
/// </summary>
public sealed class OodTestTimeSnapshot : IDisposable
{
    private readonly TestTimeState _state;

    internal OodTestTimeSnapshot(TestTimeState state)
    {
        _state = state;
    }

    /// <summary>The head's kind, e.g. <c>oodd</c>.</summary>
    public string Kind => _state.Kind;

    /// <summary>Rows scored before the snapshot was taken.</summary>
    public long RowsSeen => _state.RowsSeen;

    /// <summary>The rows OODD's dictionary held when the snapshot was taken (0 for other kinds).</summary>
    public int DictionaryRows => _state is OoddState oodd ? oodd.DictionaryRows : 0;

    /// <summary>Writes the state (with its head's settings and bank).</summary>
    /// <param name="stream">Where to write.</param>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _state.Write(writer);
    }

    /// <summary>Frees the copy.</summary>
    public void Dispose() => _state.Dispose();
}
