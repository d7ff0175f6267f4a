using System.Reflection;
using Microsoft.ML.OnnxRuntime;

namespace Ml.Ood;

/// <summary>
/// Checks at Fit that ONNX Runtime's native library loads. The Ml.Ood packages reference only the managed API
/// (Microsoft.ML.OnnxRuntime.Managed), so an application without Microsoft.ML.OnnxRuntime or its GPU twin fitted
/// fine and then failed at the first Transform with a DllNotFoundException inside a type initializer, far from
/// its cause. Fit now fails instead, naming the packages.
/// </summary>
internal static class OnnxRuntimeCheck
{
    // Once the runtime has loaded it stays loaded for the process; failures are not cached, so that the message
    // comes back at every Fit.
    private static volatile bool _available;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the packages when ONNX Runtime cannot start.</summary>
    public static void EnsureAvailable()
    {
        if (_available)
        {
            return;
        }

        EnsureAvailable(static () => OrtEnv.Instance());
        _available = true;
    }

    /// <summary>Runs <paramref name="touchRuntime"/> and turns a native-loading failure into the packages' message.</summary>
    internal static void EnsureAvailable(Action touchRuntime)
    {
        try
        {
            touchRuntime();
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// The error to throw for an exception from ONNX Runtime's first call, or <see langword="null"/> when it is not a
    /// native-loading failure: a missing library (DllNotFoundException), a library of another version
    /// (EntryPointNotFoundException), of another architecture (BadImageFormatException), or any of these raised in a
    /// static constructor (TypeInitializationException, which is how ONNX Runtime's NativeMethods reports them).
    /// </summary>
    internal static InvalidOperationException? Map(Exception exception)
    {
        if (exception is not (DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException))
        {
            return null;
        }

        var cause = exception;
        while (cause is TypeInitializationException { InnerException: { } inner })
        {
            cause = inner;
        }

        string message = OodErrors.Format(OodErrors.OnnxRuntimeNotAvailable, cause.GetType().Name, cause.Message.TrimEnd('.'), ManagedVersion());
        return new InvalidOperationException(message, exception);
    }

    private static string ManagedVersion()
    {
        var assembly = typeof(OrtEnv).Assembly;
        string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        // Informational versions may carry a "+commit" suffix; the package version is what precedes it.
        return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString(3) ?? "matching Microsoft.ML.OnnxRuntime.Managed";
    }
}
