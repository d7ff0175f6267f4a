using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.Data;
using Ml.Ood.Samples;

namespace Ml.Ood.Service.Tests;

/// <summary>
/// ML.NET's pixel extractor disposes the last image it read when its cursor is disposed, and a request disposes its
/// images once answered. The batching loop once answered a batch before it disposed the batch's cursor, so a request could
/// dispose its image on another thread while the cursor was disposing it: MLImage.Dispose raced, and 2 of 7,000
/// single-image requests got a 500 (NullReferenceException; 1 client, --max-delay-ms 0, serving-load.sh's client).
/// </summary>
[TestClass]
public sealed class ImageLifetimeTests
{
    [TestMethod]
    [DataRow(false)] // a lone image through a cursor over a batch of one
    [DataRow(true)] // through the loop's row engine (the default)
    public async Task ABatchIsAnsweredOnlyAfterThePipelineReleasedItsImages(bool loneRowsByEngine)
    {
        var options = Options.Create(new ServiceOptions { ModelPath = TestModels.ImageModelPath, MaxBatchDelayMs = 0, LoneRowsByEngine = loneRowsByEngine });
        using var host = new ModelHost(options, NullLogger<ModelHost>.Instance);
        await using var scorer = new BatchingScorer(host, NullLogger<BatchingScorer>.Instance);
        int released = 0;
        // Raised once the batch's cursor is disposed (or the row engine is done with the image); slow on purpose, so that an answer given before it would be seen.
        scorer.BatchScored += (rows, _) =>
        {
            Thread.Sleep(20);
            Interlocked.Increment(ref released);
        };
        var pngs = TestModels.Images(8, 43).Select(i => Png.Grey(i, 28, 28)).ToArray();

        for (int request = 0; request < 20; request++)
        {
            using var input = new ServedInput(MLImage.CreateFromStream(new MemoryStream(pngs[request % pngs.Length])), null);

            var answers = await scorer.ScoreAsync([input], CancellationToken.None);

            Assert.HasCount(1, answers);
            Assert.AreEqual(request + 1, Volatile.Read(ref released), $"request {request} was answered before its batch was released");
            Assert.AreEqual(loneRowsByEngine ? request + 1 : 0, scorer.LoneRows, "rows scored by the row engine");
            // The only image of its batch is the last one the cursor read, which ML.NET disposed with the cursor; a row
            // engine keeps it, so the loop disposed it before answering.
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => _ = input.Image!.Width, $"request {request}");
            StringAssert.Contains(error.Message, "disposed");
        }
    }

    /// <summary>
    /// A row engine keeps the last image it read: ML.NET's resizer passes an image of the right size on as it is and
    /// disposes it at the engine's next row. Engines are pooled, so that next row can be another request's, on another
    /// thread, while the first request disposes its image: the same race. An engine therefore answers only once its
    /// request's images are disposed, and a later dispose of them does nothing.
    /// </summary>
    [TestMethod]
    public async Task AnEngineAnswersOnlyOnceItsRequestsImagesAreDisposed()
    {
        var options = Options.Create(new ServiceOptions { ModelPath = TestModels.ImageModelPath, Mode = ScoringMode.Engine });
        using var host = new ModelHost(options, NullLogger<ModelHost>.Instance);
        using var scorer = new EngineScorer(host);
        var pngs = TestModels.Images(8, 44).Select(i => Png.Grey(i, 28, 28)).ToArray();

        for (int request = 0; request < 10; request++)
        {
            using var first = new ServedInput(MLImage.CreateFromStream(new MemoryStream(pngs[request % pngs.Length])), null);
            using var second = new ServedInput(MLImage.CreateFromStream(new MemoryStream(pngs[(request + 1) % pngs.Length])), null);

            var answers = await scorer.ScoreAsync([first, second], CancellationToken.None);

            Assert.HasCount(2, answers);
            foreach (var input in new[] { first, second })
            {
                var error = Assert.ThrowsExactly<InvalidOperationException>(() => _ = input.Image!.Width, $"request {request}");
                StringAssert.Contains(error.Message, "disposed");
            }
        }
    }

    /// <summary>
    /// A request to a stopping scorer is refused whole: had part of it been queued, a loop could still be scoring (and
    /// disposing) those images while the refused request's handler disposed them.
    /// </summary>
    [TestMethod]
    public async Task AStoppedScorerRefusesARequestWithoutTouchingItsImages()
    {
        var options = Options.Create(new ServiceOptions { ModelPath = TestModels.ImageModelPath });
        using var host = new ModelHost(options, NullLogger<ModelHost>.Instance);
        var scorer = new BatchingScorer(host, NullLogger<BatchingScorer>.Instance);
        var pngs = TestModels.Images(2, 45).Select(i => Png.Grey(i, 28, 28)).ToArray();
        using var first = new ServedInput(MLImage.CreateFromStream(new MemoryStream(pngs[0])), null);
        using var second = new ServedInput(MLImage.CreateFromStream(new MemoryStream(pngs[1])), null);
        await scorer.DisposeAsync();

        await Assert.ThrowsExactlyAsync<ObjectDisposedException>(() => scorer.ScoreAsync([first, second], CancellationToken.None));

        Assert.AreEqual(28, first.Image!.Width);
        Assert.AreEqual(28, second.Image!.Width);
    }
}
