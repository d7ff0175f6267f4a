namespace Ml.Ood.QuickStart;

/// <summary>
/// A problem the user can fix (a missing tool, data file or build output): the quick start prints its message as
/// one clear instruction and exits non-zero, with no stack trace, since the trace would only hide the fix.
/// </summary>
public sealed class QuickStartException(string message) : Exception(message);
