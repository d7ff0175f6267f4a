using System.Text.Json;

namespace Ml.Ood.Service.Tests;

/// <summary>A setting that cannot work stops the service at start, naming the setting; a valid one shows in GET /model.</summary>
[TestClass]
public sealed class SettingsTests
{
    [TestMethod]
    [DataRow("Parallelism", "0")]
    [DataRow("BatchWorkers", "0")]
    [DataRow("MaxBatchDelayMs", "-1")]
    public void AnUnworkableSettingStopsTheStartNamingIt(string setting, string value)
    {
        using var host = new ServiceHost(TestModels.EmbeddingModelPath, "Batching", (setting, value));

        var error = FindInvalidOperation(Catch(() => host.CreateClient()));

        StringAssert.Contains(error.Message, $"{setting} ({value})".Replace("MaxBatchDelayMs (-1)", "MaxBatchDelayMs is -1", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task ParallelismShowsInTheModelDescription()
    {
        using var host = new ServiceHost(TestModels.EmbeddingModelPath, "Batching", ("Parallelism", "1"));
        using var client = host.CreateClient();

        using var model = JsonDocument.Parse(await client.GetStringAsync("/model"));

        Assert.AreEqual(1, model.RootElement.GetProperty("parallelism").GetInt32());
    }

    private static Exception Catch(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new AssertFailedException("The service started with a setting that cannot work.");
    }

    private static InvalidOperationException FindInvalidOperation(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is InvalidOperationException found)
            {
                return found;
            }
        }
        throw new AssertFailedException($"Expected an InvalidOperationException, got: {e}");
    }
}
