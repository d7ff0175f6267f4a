using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ml.Ood.Service.Tests;

/// <summary>The service in this process (WebApplicationFactory) with settings of the test's choosing and its log kept.</summary>
public sealed class ServiceHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public ServiceHost(string modelPath, string mode = "Batching", params (string Key, string Value)[] settings)
    {
        _settings = new(StringComparer.Ordinal) { ["Ood:ModelPath"] = modelPath, ["Ood:Mode"] = mode };
        foreach (var (key, value) in settings)
        {
            _settings["Ood:" + key] = value;
        }
    }

    /// <summary>Every line the service logged.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        builder.ConfigureServices(services => services.AddLogging(log => log.AddProvider(new CapturingLogger(Log))));
    }

    public static HttpContent Json(object body) => JsonContent.Create(body);

    public static HttpContent Image(byte[] bytes, string type = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    public static HttpContent Multipart(IEnumerable<byte[]> images)
    {
        var form = new MultipartFormDataContent();
        int i = 0;
        foreach (var bytes in images)
        {
            form.Add(Image(bytes), "image", $"image{i++}.png");
        }
        return form;
    }

    /// <summary>POST /score; the parsed results, after checking the status is 200.</summary>
    public static async Task<Answer[]> ScoreAsync(HttpClient client, HttpContent content)
    {
        using var response = await client.PostAsync("/score", content);
        string body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(200, (int)response.StatusCode, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("results").EnumerateArray().Select(Answer.From).ToArray();
    }

    /// <summary>Asserts that <paramref name="expected"/> (offline) and <paramref name="actual"/> (the service) agree.</summary>
    public static void AssertSame(Offline expected, Answer actual, string what)
    {
        foreach (var (name, value) in expected.Scores)
        {
            Assert.AreEqual(value, actual.Scores[name], 1e-5, $"{what}: {name}");
        }
        Assert.HasCount(expected.Scores.Count, actual.Scores, what);
        Assert.AreEqual(expected.IsOod, actual.Decisions["IsOod"], $"{what}: IsOod");
        Assert.AreEqual(expected.PredictedClass, actual.PredictedClass, $"{what}: predicted class");
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}

/// <summary>One result of POST /score as the client reads it.</summary>
public sealed record Answer(Dictionary<string, float> Scores, Dictionary<string, bool> Decisions, string? PredictedClass)
{
    public static Answer From(JsonElement item) => new(
        item.GetProperty("scores").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String
            ? float.Parse(p.Value.GetString()!, CultureInfo.InvariantCulture) : p.Value.GetSingle()),
        item.GetProperty("decisions").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBoolean()),
        item.GetProperty("predictedClass").ValueKind == JsonValueKind.Null ? null : item.GetProperty("predictedClass").GetString());
}
