using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Tests;

namespace Ml.Ood.Transforms.Tests;

/// <summary>
/// Issue 10, defect 1, in process: PredictionEngines created and disposed on many threads over one head (ML.NET's
/// default ownership disposes the head with each engine) all score, bit for bit, as one engine alone; the head is
/// freed only when its owner lets go too. The cross-process version with every pattern is in the end-to-end tests.
/// </summary>
[TestClass]
public sealed class SharedHeadTests
{
    private static readonly float[][] Logits = LogitsData.Random(rows: 64, classes: 7, scale: 4, seed: 12);

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void EnginesThatDisposeTheHeadOnEightThreadsAgreeBitForBit()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        // One head, not a chain: ML.NET's TransformerChain disposes its parts only the first time it is disposed.
        var model = ml.Ood().Energy("Energy", "Logits").Fit(data);
        var reference = HeadHarness.PerRow(ml, model, data, Logits, "Energy").Select(BitConverter.SingleToInt32Bits).ToArray();

        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            try
            {
                for (int engine = 0; engine < 5; engine++)
                {
                    var scores = HeadHarness.PerRow(ml, model, data, Logits, "Energy");   // owns, so disposes, the model
                    if (!scores.Select(BitConverter.SingleToInt32Bits).SequenceEqual(reference))
                    {
                        failures.Enqueue($"thread {t}, engine {engine}: scores differ");
                    }

                    model.Transform(data).GetColumn<float>("Energy").ToArray();
                }
            }
            catch (Exception e)
            {
                failures.Enqueue($"thread {t}: {e}");
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.IsEmpty(failures, string.Join(Environment.NewLine, failures));

        Assert.IsFalse(model.State.Lifetime.IsDisposed, "40 engines disposed the head; its owner has not");
        model.Dispose();
        Assert.IsTrue(model.State.Lifetime.IsDisposed, "the owner's Dispose was the last reference");
    }

    [TestMethod]
    public void AChainKeepsScoringAfterEnginesDisposedIt()
    {
        var ml = new MLContext(seed: 1);
        var data = LogitsData.Create(ml, Logits);
        var model = ml.Ood().Energy("Energy", "Logits").Append(ml.Ood().MaxSoftmaxProbability("Msp", "Logits")).Fit(data);
        var before = model.Transform(data).GetColumn<float>("Msp").ToArray();
        for (int i = 0; i < 3; i++)
        {
            HeadHarness.PerRow(ml, model, data, Logits, "Energy");
        }

        CollectionAssert.AreEqual(before, model.Transform(data).GetColumn<float>("Msp").ToArray());
    }
}
