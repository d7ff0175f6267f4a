using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// The MLContext that ML.NET's loader runs in for <c>ml.Ood().Load</c>: the user's GPU settings, its log forwarded to
/// the user's context, and its temporary files in a private folder. ML.NET writes every ONNX model it loads to
/// <see cref="MLContext.TempFilePath"/> (world-readable, kept while the transformer lives, left behind when the process
/// dies or a load fails); in MlOod's private folder they are neither readable by others nor left behind.
/// </summary>
internal static class LoadingContext
{
    public static MLContext Create(MLContext user, PrivateFolder folder)
    {
        var context = new MLContext(seed: 0)
        {
            GpuDeviceId = user.GpuDeviceId,
            FallbackToCpu = user.FallbackToCpu,
            TempFilePath = folder.FullName,
        };
        IHostEnvironment userEnvironment = user;
        context.Log += (_, e) => Forward(userEnvironment, e);
        return context;
    }

    private static void Forward(IHostEnvironment user, LoggingEventArgs e)
    {
        using var channel = user.Start(string.IsNullOrEmpty(e.Source) ? "ml.Ood().Load" : e.Source);
        string message = e.RawMessage ?? e.Message;
        switch (e.Kind)
        {
            case ChannelMessageKind.Error:
                channel.Error(MessageSensitivity.None, message);
                break;
            case ChannelMessageKind.Warning:
                channel.Warning(MessageSensitivity.None, message);
                break;
            case ChannelMessageKind.Info:
                channel.Info(MessageSensitivity.None, message);
                break;
            default:
                channel.Trace(MessageSensitivity.None, message);
                break;
        }
    }
}
