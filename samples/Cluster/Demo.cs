using System.Diagnostics;

namespace Ml.Ood.Cluster;

/// <summary>Starts the silos as processes of this program, waits until each is up, runs the client in this process, stops them.</summary>
public static class Demo
{
    public static async Task<int> RunAsync(ClusterOptions options)
    {
        var silos = new List<Process>();
        try
        {
            for (int i = 0; i < options.Silos; i++)
            {
                silos.Add(await StartSiloAsync(i, options));
            }

            return await ClientProcess.RunAsync(options);
        }
        finally
        {
            foreach (var silo in silos)
            {
                silo.Kill(entireProcessTree: true);
                await silo.WaitForExitAsync();
                silo.Dispose();
            }
        }
    }

    private static async Task<Process> StartSiloAsync(int index, ClusterOptions options)
    {
        string self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Demo).Assembly.Location);
        }

        foreach (string arg in new[] { "silo", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "--store", options.Store })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var up = new TaskCompletionSource();
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith($"silo {index} up", StringComparison.Ordinal) == true)
            {
                up.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"silo {index} started (process {process.Id})");
        return process;
    }
}
