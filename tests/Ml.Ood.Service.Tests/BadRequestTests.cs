using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ml.Ood.Samples;

namespace Ml.Ood.Service.Tests;

/// <summary>
/// Every request the service cannot read exactly gets a 400 whose JSON problem body names the problem, and no score;
/// the service answers the next request as before.
/// </summary>
[TestClass]
public sealed class BadRequestTests
{
    private static ServiceHost _embeddingHost = null!;
    private static ServiceHost _imageHost = null!;

    [ClassInitialize]
    public static void Start(TestContext _)
    {
        _embeddingHost = new ServiceHost(TestModels.EmbeddingModelPath, "Batching", ("MaxRequestBytes", "4096"), ("MaxItemsPerRequest", "16"));
        _imageHost = new ServiceHost(TestModels.ImageModelPath, "Batching", ("MaxRequestBytes", "20000"));
    }

    [ClassCleanup]
    public static void Stop()
    {
        _embeddingHost.Dispose();
        _imageHost.Dispose();
    }

    public static IEnumerable<object[]> EmbeddingCases() =>
    [
        ["empty body", Raw("", "application/json"), "Empty request", "body is empty"],
        ["not JSON", Raw("{\"embeddings\": [[1, 2", "application/json"), "Not valid JSON", "not valid JSON"],
        ["NaN literal", Raw("{\"embedding\": [NaN, 0, 0, 0, 0, 0, 0, 0]}", "application/json"), "Not valid JSON", "no NaN"],
        ["NaN as a string", Raw("{\"embedding\": [\"NaN\", 0, 0, 0, 0, 0, 0, 0]}", "application/json"), "Not a number", "value 0 is \"NaN\""],
        ["beyond Single", Raw("{\"embedding\": [0, 1e39, 0, 0, 0, 0, 0, 0]}", "application/json"), "Not a finite number", "value 1 is 1e39"],
        ["too short", Raw("{\"embedding\": [0, 1, 2]}", "application/json"), "Wrong embedding length", "has 3 values; the model's column 'Features' takes 8"],
        ["too long", Raw("{\"embeddings\": [[0,0,0,0,0,0,0,0], [0,0,0,0,0,0,0,0,0]]}", "application/json"), "Wrong embedding length", "Embedding 1 has 9 values"],
        ["no embeddings", Raw("{\"images\": []}", "application/json"), "No embeddings", "neither"],
        ["empty list", Raw("{\"embeddings\": []}", "application/json"), "Empty request", "empty list"],
        ["row not a list", Raw("{\"embeddings\": [3]}", "application/json"), "Not an embedding", "Number, not an array"],
        ["image to an embedding model", Raw("\u0089PNG", "image/png"), "Wrong kind of input", "reads embeddings"],
        ["too many", Raw(JsonSerializer.Serialize(new { embeddings = Enumerable.Repeat(new float[8], 17) }), "application/json"), "Too many inputs", "17 inputs; the limit is 16"],
        ["too large", Raw(JsonSerializer.Serialize(new { embeddings = Enumerable.Repeat(Enumerable.Repeat(0.123456789f, 8).ToArray(), 60) }), "application/json"), "Request too large", "the limit is 4,096"],
    ];

    public static IEnumerable<object[]> ImageCases() =>
    [
        ["empty body", Raw("", "image/png"), "Empty request", "body is empty"],
        ["not an image", Raw("hello, world", "image/png"), "Not an image", "not a PNG or JPEG"],
        ["damaged PNG", Bytes([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5], "image/png"), "Not an image", "could not be decoded"],
        ["truncated PNG", Bytes(Png.Grey(new byte[28 * 28], 28, 28)[..40], "image/png"), "Not an image", "could not be decoded"],
        ["wrong size", Bytes(Png.Grey(new byte[20 * 24], 20, 24), "image/png"), "Wrong image size", "is 20 x 24; the model's column 'Image' takes 28 x 28"],
        ["PNG claiming 100,000 x 100,000", Bytes(Bomb(), "image/png"), "Wrong image size", "is 100000 x 100000"],
        ["JPEG of the wrong size", Bytes(JpegHeader(64, 48), "image/jpeg"), "Wrong image size", "is 64 x 48"],
        ["JPEG with no frame", Bytes([0xFF, 0xD8, 0xFF, 0xD9], "image/jpeg"), "Not an image", "states no image size"],
        ["one bad image of a batch", Batch(Png.Grey(new byte[28 * 28], 28, 28), Encoding.ASCII.GetBytes("no image")), "Not an image", "'b.png' is not a PNG or JPEG"],
        ["multipart without files", new MultipartFormDataContent { { new StringContent("x"), "field" } }, "Empty request", "no file parts"],
        ["JSON to an image model", Raw("{\"embedding\": [1]}", "application/json"), "Wrong kind of input", "reads images"],
        ["too large", Bytes(new byte[30000], "image/png"), "Request too large", "the limit is 20,000"],
    ];

    [TestMethod]
    [DynamicData(nameof(EmbeddingCases))]
    public async Task EmbeddingModelRefuses(string what, HttpContent content, string title, string detail)
        => await AssertRefused(_embeddingHost, what, content, title, detail);

    [TestMethod]
    [DynamicData(nameof(ImageCases))]
    public async Task ImageModelRefuses(string what, HttpContent content, string title, string detail)
        => await AssertRefused(_imageHost, what, content, title, detail);

    private static async Task AssertRefused(ServiceHost host, string what, HttpContent content, string title, string detail)
    {
        using var client = host.CreateClient();
        using var response = await client.PostAsync("/score", content);
        string body = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(400, (int)response.StatusCode, $"{what}: {body}");
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, what);
        using var problem = JsonDocument.Parse(body);
        Assert.AreEqual(title, problem.RootElement.GetProperty("title").GetString(), what);
        StringAssert.Contains(problem.RootElement.GetProperty("detail").GetString(), detail, what);
        Assert.IsFalse(problem.RootElement.TryGetProperty("results", out _), $"{what}: a refused request has no scores");
        Assert.AreEqual("ok", JsonDocument.Parse(await client.GetStringAsync("/health")).RootElement.GetProperty("status").GetString(), $"{what}: the service still answers");
    }

    private static HttpContent Raw(string body, string type) => Bytes(Encoding.UTF8.GetBytes(body), type);

    private static HttpContent Bytes(byte[] body, string type)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    /// <summary>A 28 x 28 PNG whose header is rewritten to claim 100,000 x 100,000 (its CRC no longer matches).</summary>
    private static byte[] Bomb()
    {
        byte[] png = Png.Grey(new byte[28 * 28], 28, 28);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000);
        return png;
    }

    /// <summary>A JPEG's start: SOI, an APP0 segment, then a baseline SOF0 of the given size (ITU T.81 B.2.2); no scan.</summary>
    private static byte[] JpegHeader(int width, int height) =>
    [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00,
        0xFF, 0xC0, 0x00, 0x0B, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x01, 0x01, 0x11, 0x00,
    ];

    private static HttpContent Batch(byte[] first, byte[] second)
    {
        var form = new MultipartFormDataContent();
        form.Add(Bytes(first, "image/png"), "image", "a.png");
        form.Add(Bytes(second, "image/png"), "image", "b.png");
        return form;
    }
}
