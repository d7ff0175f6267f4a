using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

using Ml.Ood.Samples;

namespace Ml.Ood.Benchmarks;

/// <summary>
/// Steps of knn-vs-faiss.sh that are not timings: fit a KNN model to a .zip, and score the queries in a fresh
/// process (so /usr/bin/time measures that process's peak memory) and dump the scores for peer.py compare.
/// </summary>
internal static class KnnCommands
{
    /// <summary>fit-knn ZIP [BANK_ROWS]: fits k = 50 on the training embeddings and saves the pipeline.</summary>
    public static int Fit(string zip, int? bankRows)
    {
        var ml = new MLContext(seed: 1);
        var data = SynthData.Load(SynthData.Folder);
        var train = data.TrainView(ml, bankRows);
        var model = ml.Ood().Knn("KnnScore", "Embedding", k: Math.Min(50, bankRows ?? 50)).Fit(train);
        ml.Model.Save(model, train.Schema, zip);
        Console.WriteLine($"saved {zip} ({new FileInfo(zip).Length / 1e6:F1} MB)");
        return 0;
    }

    /// <summary>score-neglabel OUT_NPY: the NegLabel head's scores of the synth-neg queries, in the peer's convention (S, higher = ID).</summary>
    public static int ScoreNegativeLabels(string outFile)
    {
        var ml = new MLContext(seed: 1);
        string folder = NegativeLabelHeadBenchmarks.Folder;
        var test = SynthData.Load(folder).TestView(ml);
        var head = ml.Ood().NegativeLabels("S", "Embedding", NegativeLabelHeadBenchmarks.Rows(folder, "id_text_emb.npy"),
            NegativeLabelHeadBenchmarks.Rows(folder, "neg_text_emb.npy"), temperature: 0.01f).Fit(test);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outFile))!);
        Npy.WriteFloat64(outFile, head.Transform(test).GetColumn<float>("S").Select(s => -(double)s).ToArray());
        return 0;
    }

    /// <summary>score-knn ZIP [OUT_NPY]: loads with ml.Ood().Load, scores the 10,000 queries, and writes the scores
    /// in the peer's convention (minus the squared distance: higher = in-distribution).</summary>
    public static int Score(string zip, string? outFile)
    {
        var ml = new MLContext(seed: 1);
        var data = SynthData.Load(SynthData.Folder);
        var watch = Stopwatch.StartNew();
        var model = ml.Ood().Load(zip, out _);
        double loadSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var scores = model.Transform(data.TestView(ml)).GetColumn<float>("KnnScore").ToArray();
        Console.WriteLine($"load {loadSeconds:F2} s, score {scores.Length} rows {watch.Elapsed.TotalSeconds:F2} s");
        // Where the memory is: the bank should show up once, as file-backed pages ONNX Runtime mapped.
        if (File.Exists("/proc/self/status"))
        {
            var fields = File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM") || l.StartsWith("Rss"))
                .Select(l => string.Join(' ', l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)));
            Console.WriteLine(string.Join(", ", fields));
        }
        if (outFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outFile))!);
            Npy.WriteFloat64(outFile, scores.Select(d => -(double)d * d).ToArray());
        }
        return 0;
    }
}
