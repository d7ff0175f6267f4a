using Microsoft.ML;

namespace Ml.Ood.Robustness;

/// <summary>
/// Issue 10, defect 5: fit, save, load (both ways), predict, re-save, failed loads, dispose, and exit with a model still
/// loaded. Run with TMPDIR set to a folder of the caller's; after this process exits, the caller checks that the folder
/// holds nothing of MlOod's (nor of ML.NET's, for the models MlOod loaded).
/// </summary>
internal static class LifecycleCheck
{
    public static int Run(string workFolder)
    {
        Directory.CreateDirectory(workFolder);
        string zip = Path.Combine(workFolder, "model.zip");
        RobustnessModel.Save(zip);
        var ml = new MLContext(seed: 1);
        var rows = RobustnessModel.TestRows();
        var data = RobustnessModel.Load(ml, rows);

        using (var model = (IDisposable)ml.Ood().Load(zip, out var schema))
        {
            var transformer = (ITransformer)model;
            RobustnessModel.ScoreBatched(transformer, data);
            using (var engine = RobustnessModel.Engine(ml, transformer, ownsTransformer: false))
            {
                engine.Predict(rows[0]);
            }

            ml.Model.Save(transformer, schema, Path.Combine(workFolder, "resaved.zip"));
            ml.Ood().Verify(Path.Combine(workFolder, "resaved.zip"));
        }

        var plain = ml.Model.Load(zip, out _);
        RobustnessModel.ScoreBatched(plain, data);
        using (var engine = RobustnessModel.Engine(ml, plain, ownsTransformer: false))
        {
            engine.Predict(rows[0]);
        }

        var batched = ml.Ood().WithBatchedHeads(plain);
        RobustnessModel.ScoreBatched(batched, data);
        (batched as IDisposable)?.Dispose();
        (plain as IDisposable)?.Dispose();

        byte[] original = File.ReadAllBytes(zip);
        var random = new Random(5);
        int refused = 0;
        for (int i = 0; i < 40; i++)
        {
            try
            {
                var loaded = ml.Ood().Load(new MemoryStream(ZipMutator.Mutate(original, random).Bytes), out _);
                (loaded as IDisposable)?.Dispose();
            }
            catch (InvalidDataException)
            {
                refused++;
            }
        }

        // Exit with a model loaded and an engine alive: the process's exit must still clean up.
        var kept = ml.Ood().Load(zip, out _);
        RobustnessModel.Engine(ml, kept).Predict(rows[1]);
        Console.WriteLine($"lifecycle done ({refused} of 40 damaged copies refused)");
        return 0;
    }

    /// <summary>Loads a model, prints READY and waits to be killed (kill -9 leaves its private folder behind).</summary>
    public static int Hold(string zip)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Ood().Load(zip, out _);
        RobustnessModel.Engine(ml, model).Predict(RobustnessModel.TestRows()[0]);
        Console.WriteLine("READY");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        GC.KeepAlive(model);
        return 0;
    }

    /// <summary>Creates and deletes one private folder: the first in a process sweeps what dead processes left.</summary>
    public static int Sweep()
    {
        Transforms.Persistence.PrivateFolder.Create().TryDelete();
        return 0;
    }
}
