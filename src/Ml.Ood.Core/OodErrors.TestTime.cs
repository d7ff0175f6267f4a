namespace Ml.Ood;

// The test-time heads (a state that adapts while it scores): the saved states, the test-time transformer and the
// streaming scorer, and OODD. AdaNeg's own messages are in OodErrors.AdaNeg.cs.
public static partial class OodErrors
{
    /// <summary>A saved test-time state that ends before its kind.</summary>
    public const string TestTimeStateNoKind =
        "The saved test-time state is empty or truncated: it ends before naming its kind. Save the state again.";

    /// <summary>A saved test-time state of a kind no reader is registered for. {0}: the kind, {1}: the known kinds.</summary>
    public const string TestTimeStateUnknownKind =
        "The saved test-time state is of kind '{0}', which this version of MlOod does not know (known: {1}). " +
        "Load it with the MlOod version that saved it.";

    /// <summary>A saved test-time state whose payload is truncated or corrupt. {0}: the kind, {1}: what was wrong.</summary>
    public const string TestTimeStateCorrupt =
        "The saved '{0}' test-time state is truncated or corrupt ({1}). Save the state again.";
}
