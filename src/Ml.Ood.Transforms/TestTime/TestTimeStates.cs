using System.Collections.Concurrent;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// The readers of the saved test-time states, by kind. A state's payload starts with its kind (a length-prefixed
/// string, as <see cref="BinaryWriter.Write(string)"/> writes it); <see cref="Read"/> dispatches on it. Each kind
/// registers before its first load (registering the same reader again is harmless).
/// </summary>
internal static class TestTimeStates
{
    private static readonly ConcurrentDictionary<string, Func<BinaryReader, TestTimeState>> Readers = new(StringComparer.Ordinal);

    /// <summary>Registers the reader of <paramref name="kind"/>; registering the same reader again is harmless.</summary>
    public static void Register(string kind, Func<BinaryReader, TestTimeState> read)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(read);
        Readers[kind] = read;
    }

    /// <summary>The kinds registered so far.</summary>
    public static IReadOnlyCollection<string> Kinds => [.. Readers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Reads a state written by <see cref="TestTimeState.Write"/>: an unknown kind, a truncated payload or one its kind's
    /// reader finds corrupt throws <see cref="InvalidDataException"/> naming the kind.
    /// </summary>
    public static TestTimeState Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string kind;
        try
        {
            kind = reader.ReadString();
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            throw new InvalidDataException(OodErrors.TestTimeStateNoKind, e);
        }
        if (!Readers.TryGetValue(kind, out var read))
        {
            throw new InvalidDataException(OodErrors.Format(
                OodErrors.TestTimeStateUnknownKind, kind, string.Join(", ", Kinds)));
        }
        try
        {
            return read(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.TestTimeStateCorrupt, kind, e.Message), e);
        }
    }
}
