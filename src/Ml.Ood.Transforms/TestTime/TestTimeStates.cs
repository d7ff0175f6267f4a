using System.Collections.Concurrent;
using Microsoft.ML;
using Ml.Ood.Transforms.Execution;

namespace Ml.Ood.Transforms.TestTime;

/// <summary>
/// The readers of the saved test-time states, by kind. A state's payload starts with its kind (a length-prefixed
/// string, as <see cref="BinaryWriter.Write(string)"/> writes it); <see cref="Read"/> dispatches on it. Each kind
/// registers before its first load (registering the same reader again is harmless): the built-in kinds in the static
/// constructor.
/// </summary>
internal static class TestTimeStates
{
    private static readonly ConcurrentDictionary<string, Func<BinaryReader, TestTimeState>> Readers = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Func<MLContext, OodHeadModel, OodHeadExecution, TestTimeHead>> Heads =
        new(StringComparer.Ordinal);

    static TestTimeStates()
    {
        Register(OoddSettings.Kind, reader => OoddState.Read(reader, OoddSettings.Kind));
        RegisterHead(OoddSettings.Kind, OoddState.Start);
        Register(OoddVisionLanguageSettings.Kind, reader => OoddState.Read(reader, OoddVisionLanguageSettings.Kind));
        RegisterHead(OoddVisionLanguageSettings.Kind, OoddState.Start);
        Register(AdaNegState.KindName, AdaNegState.Read);
        RegisterHead(AdaNegState.KindName, AdaNegModel.Start);
    }

    /// <summary>
    /// Registers how a fitted or loaded head of <paramref name="kind"/> (its ONNX model, <c>mlood.head = kind</c>) becomes
    /// a test-time head: its starting state and the head whose lifetime and session it runs on.
    /// </summary>
    public static void RegisterHead(string kind, Func<MLContext, OodHeadModel, OodHeadExecution, TestTimeHead> start)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(start);
        Heads[kind] = start;
    }

    /// <summary>Whether heads of <paramref name="kind"/> adapt while they score (and must be restored as such).</summary>
    public static bool IsTestTimeHead(string kind) => Heads.ContainsKey(kind);

    /// <summary>The test-time head of a fitted or loaded model of a registered kind.</summary>
    public static TestTimeHead StartHead(MLContext context, OodHeadModel model, OodHeadExecution execution)
        => Heads[model.Info.Kind](context, model, execution);

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
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException(OodErrors.Format(OodErrors.TestTimeStateCorrupt, kind, e.Message), e);
        }
    }
}
