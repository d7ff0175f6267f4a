using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Ml.Ood.Service.Tests;

/// <summary>
/// --gpu on a machine without CUDA: one log line says so and the CPU scores, as on a CPU-only service. CI runs this in the
/// GPU flavour too (dotnet test -p:MlOodGpu=true), where the GPU package's CUDA provider is there but CUDA's libraries are not.
/// </summary>
[TestClass]
public sealed class GpuFallbackTests
{
    [TestMethod]
    [TestCategory("GpuFlavour")]
    public async Task GpuWithoutCudaLogsOnceAndScoresOnTheCpu()
    {
        var embeddings = TestModels.Embeddings(12, 31);
        var expected = TestModels.OfflineEmbeddings(embeddings);
        using var host = new ServiceHost(TestModels.EmbeddingModelPath, "Batching", ("GpuDeviceId", "0"));
        using var client = host.CreateClient();

        var answers = await ServiceHost.ScoreAsync(client, ServiceHost.Json(new { embeddings }));
        using var model = JsonDocument.Parse(await client.GetStringAsync("/model"));

        string device = model.RootElement.GetProperty("device").GetString()!;
        var lines = host.Log.Where(l => l.Contains("GPU 0", StringComparison.Ordinal) || l.Contains("CUDA device 0", StringComparison.Ordinal)).ToList();
        Assert.HasCount(1, lines, string.Join("\n", host.Log));
        string native = model.RootElement.GetProperty("versions").GetProperty("onnxRuntimeNative").GetString()!;
#if MLOOD_GPU
        Assert.AreEqual("Microsoft.ML.OnnxRuntime.Gpu", native);
        CollectionAssert.Contains(OrtEnv.Instance().GetAvailableProviders(), "CUDAExecutionProvider", "the GPU flavour must carry the CUDA provider");
#else
        Assert.AreEqual("Microsoft.ML.OnnxRuntime", native);
        CollectionAssert.DoesNotContain(OrtEnv.Instance().GetAvailableProviders(), "CUDAExecutionProvider");
#endif
        if (device == "cpu")
        {
            StringAssert.Contains(lines[0], "GPU 0 is not available");
            StringAssert.EndsWith(lines[0], "running on the CPU.");
            for (int i = 0; i < embeddings.Length; i++)
            {
                ServiceHost.AssertSame(expected[i], answers[i], $"row {i}");
            }
        }
        else
        {
            // A machine with CUDA (scripts/gpu-check.sh): the GPU scores, within a GPU's rounding of the CPU's.
            Assert.AreEqual("cuda:0", device);
            StringAssert.Contains(lines[0], "running on CUDA device 0");
            for (int i = 0; i < embeddings.Length; i++)
            {
                foreach (var (name, value) in expected[i].Scores)
                {
                    Assert.AreEqual(value, answers[i].Scores[name], 1e-3 * Math.Max(1, Math.Abs(value)), $"row {i} {name}");
                }
            }
        }
    }
}
