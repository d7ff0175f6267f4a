using System.Reflection;
using System.Runtime.Loader;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Without a native ONNX Runtime package, Fit used to succeed and the first Transform threw DllNotFoundException
/// from a type initializer. Fit now throws an InvalidOperationException that names the two packages. This process
/// has the native library, so the failures are either built by hand or raised by a second copy of ONNX Runtime's
/// managed assembly that is refused its native library.
/// </summary>
[TestClass]
public sealed class OnnxRuntimeCheckTests
{
    public static IEnumerable<object[]> NativeLoadingFailures =>
    [
        [new DllNotFoundException("Unable to load shared library 'onnxruntime' or one of its dependencies.")],
        [new EntryPointNotFoundException("Unable to find an entry point named 'OrtGetApiBase' in shared library 'onnxruntime'.")],
        [new BadImageFormatException("An attempt was made to load a program with an incorrect format.")],
        [new TypeInitializationException("Microsoft.ML.OnnxRuntime.NativeMethods", new DllNotFoundException("Unable to load shared library 'onnxruntime'."))],
    ];

    [TestMethod]
    [DynamicData(nameof(NativeLoadingFailures))]
    public void NativeLoadingFailuresNameThePackages(Exception failure)
    {
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => OnnxRuntimeCheck.EnsureAvailable(() => throw failure));
        AssertNamesThePackages(error.Message);
        Assert.AreSame(failure, error.InnerException, "the original exception is kept for diagnosis");
        var cause = failure is TypeInitializationException t ? t.InnerException! : failure;
        StringAssert.Contains(error.Message, $"({cause.GetType().Name}: {cause.Message.TrimEnd('.')})", "the cause is quoted, not its wrapper");
    }

    [TestMethod]
    public void OtherExceptionsAreNotRelabelled()
    {
        var failure = new OutOfMemoryException("no memory");
        Assert.AreSame(failure, Assert.ThrowsExactly<OutOfMemoryException>(() => OnnxRuntimeCheck.EnsureAvailable(() => throw failure)));
        Assert.IsNull(OnnxRuntimeCheck.Map(new ArgumentException("bad")));
        OnnxRuntimeCheck.EnsureAvailable(() => { });
    }

    [TestMethod]
    public void TheRealFailureOfOnnxRuntimeWithoutItsNativeLibraryIsMapped()
    {
        // A second copy of Microsoft.ML.OnnxRuntime.dll in its own load context, refused every native library: its
        // OrtEnv.Instance() fails the way it does in an application without the native package.
        var context = new NoNativeLibraries();
        try
        {
            var ortEnv = context.LoadFromAssemblyPath(typeof(OrtEnv).Assembly.Location).GetType(typeof(OrtEnv).FullName!, throwOnError: true)!;
            var instance = ortEnv.GetMethod(nameof(OrtEnv.Instance), BindingFlags.Public | BindingFlags.Static)!;
            var error = Assert.ThrowsExactly<InvalidOperationException>(
                () => OnnxRuntimeCheck.EnsureAvailable(() => instance.Invoke(null, BindingFlags.DoNotWrapExceptions, null, null, null)));
            AssertNamesThePackages(error.Message);
            Assert.IsInstanceOfType<TypeInitializationException>(error.InnerException, "ONNX Runtime fails in NativeMethods' static constructor");
            StringAssert.Contains(error.Message, "(DllNotFoundException: Unable to load shared library 'onnxruntime'");
            Assert.IsGreaterThan(0, context.Refused, "the native library was asked for and refused");
        }
        finally
        {
            context.Unload();
        }
    }

    [TestMethod]
    public void FitSucceedsWhenTheRuntimeIsPresent()
    {
        var ml = new MLContext(seed: 1);
        OnnxRuntimeCheck.EnsureAvailable();
        using var model = ml.Ood().MaxLogit("MaxLogit", "Logits").Fit(LogitsData.Create(ml, [[1f, 2f]]));
        Assert.IsNotNull(model);
    }

    private static void AssertNamesThePackages(string message)
    {
        StringAssert.StartsWith(message, "ONNX Runtime's native library could not be loaded");
        StringAssert.Contains(message, "Microsoft.ML.OnnxRuntime (CPU)");
        StringAssert.Contains(message, "Microsoft.ML.OnnxRuntime.Gpu (CUDA)");
        StringAssert.Contains(message, $"version {typeof(OrtEnv).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0]}");
    }

    private sealed class NoNativeLibraries() : AssemblyLoadContext(nameof(NoNativeLibraries), isCollectible: true)
    {
        public int Refused { get; private set; }

        protected override Assembly? Load(AssemblyName assemblyName) => null;

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            Refused++;
            throw new DllNotFoundException($"Unable to load shared library '{unmanagedDllName}' (refused by the test).");
        }
    }
}
