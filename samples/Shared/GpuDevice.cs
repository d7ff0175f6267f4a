using Microsoft.ML.OnnxRuntime;

namespace Ml.Ood.Samples;

/// <summary>
/// The device the samples run on: the requested CUDA device when ONNX Runtime can use it, else the CPU, said in one log
/// line. MlOod's heads also fall back to the CPU (FallbackToCpu) with a warning per head on the MLContext log; asking once up front gives
/// the user one clear line and spares every head a failing CUDA attempt. Shared by the quick start and the service.
/// </summary>
internal static class GpuDevice
{
    /// <summary>Whether this build references the GPU native package (built with -p:MlOodGpu=true).</summary>
#if MLOOD_GPU
    public const bool IsGpuBuild = true;
#else
    public const bool IsGpuBuild = false;
#endif

    /// <summary>The device to use: <paramref name="requested"/> when its CUDA provider loads, else null (the CPU).</summary>
    /// <param name="requested">The CUDA device asked for (--gpu), or null for the CPU.</param>
    /// <param name="log">Where the one line goes that says which device runs and why.</param>
    public static int? Resolve(int? requested, Action<string> log)
    {
        if (requested is not int device)
        {
            return null;
        }

        // ONNX Runtime logs its own error line when the CUDA provider fails to load; the line below says it once, in full.
        var env = OrtEnv.Instance();
        var level = env.EnvLogLevel;
        env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        try
        {
            // The CUDA provider loads its libraries here: a machine without CUDA fails now, not at the first head.
            using var options = Microsoft.ML.OnnxRuntime.SessionOptions.MakeSessionOptionWithCudaProvider(device);
            log($"ONNX Runtime {env.GetVersionString()}: running on CUDA device {device}.");
            return device;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            string why = IsGpuBuild
                ? $"ONNX Runtime's CUDA provider did not load: {FirstLine(e.Message)}; it needs the CUDA libraries its package was built for (libcublasLt.so.13 and others) and cuDNN on the library path"
                : "this build references the CPU runtime; build with -p:MlOodGpu=true";
            log($"GPU {device} is not available ({why}): running on the CPU.");
            return null;
        }
        finally
        {
            env.EnvLogLevel = level;
        }
    }

    private static string FirstLine(string message)
    {
        string line = message.Split('\n', 2)[0].Trim();
        return line.Length <= 300 ? line : line[..300] + "...";
    }
}
