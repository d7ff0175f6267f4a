using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.Ood.Samples;

namespace Ml.Ood.QuickStart;

/// <summary>
/// Writes what tests/Ml.Ood.Benchmarks/peer/peer.py reads, per OOD set (near/, far/): the test embeddings, logits, labels
/// and OOD truth, and MlOod's scores in the peer's convention (higher = in-distribution; KNN as minus the
/// squared distance), so that `peer.py compare` checks scores and metrics element by element; and the KNN bank's
/// embeddings and labels (train_emb, train_labels), so that the peer's KNN and Mahalanobis see the same data.
/// </summary>
internal static class PeerDump
{
    /// <summary>The post-hoc heads' columns and their names in peer/posthoc.py (which returns MlOod's sign).</summary>
    private static readonly (string Column, string Peer)[] PostHocHeads =
    [
        ("ReActScore", "react"), ("AshPScore", "ash_p"), ("AshBScore", "ash_b"), ("AshSScore", "ash_s"), ("ScaleScore", "scale"),
        ("VimScore", "vim"), ("RmdsScore", "rmds"), ("FdbdScore", "fdbd"), ("NnGuideScore", "nnguide"), ("GenScore", "gen"),
        ("TemperatureScore", "temperature_scaling"),
    ];

    public static void Write(MLContext ml, IDataView scored, IDataView train, IDataView validation, IReadOnlyList<(string Name, int Set)> sets, string folder)
    {
        var trainEmbedding = train.GetColumn<float[]>("embedding").ToArray();
        var trainLabels = train.GetColumn<float>("Label").Select(l => (long)l).ToArray();
        var validationLogits = validation.GetColumn<float[]>("logits").ToArray();
        var validationLabels = validation.GetColumn<float>("Label").Select(l => (long)l).ToArray();
        var layer = OodJob.Layer();
        foreach (var (name, set) in sets)
        {
            string dir = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.Combine(dir, "mlood-scores"));
            var rows = ml.Data.FilterRowsByColumn(scored, "Set", lowerBound: Math.Min(0, set), upperBound: Math.Max(0, set) + 1);
            var embedding = rows.GetColumn<float[]>("embedding").ToArray();
            var logits = rows.GetColumn<float[]>("logits").ToArray();
            Npy.WriteFloat32(Path.Combine(dir, "test_emb.npy"), embedding.SelectMany(e => e).ToArray(), embedding.Length, embedding[0].Length);
            Npy.WriteFloat32(Path.Combine(dir, "test_logits.npy"), logits.SelectMany(e => e).ToArray(), logits.Length, logits[0].Length);
            Npy.WriteInt64(Path.Combine(dir, "test_labels.npy"), rows.GetColumn<float>("Label").Select(l => (long)l).ToArray());
            Npy.WriteBool(Path.Combine(dir, "test_is_ood.npy"), rows.GetColumn<bool>("IsOodTruth").ToArray());
            Npy.WriteFloat32(Path.Combine(dir, "train_emb.npy"), trainEmbedding.SelectMany(e => e).ToArray(), trainEmbedding.Length, trainEmbedding[0].Length);
            Npy.WriteInt64(Path.Combine(dir, "train_labels.npy"), trainLabels);
            Negated(rows, "EnergyScore", Path.Combine(dir, "mlood-scores", "energy.npy"), square: false);
            Negated(rows, "MspScore", Path.Combine(dir, "mlood-scores", "msp.npy"), square: false);
            Negated(rows, "MaxLogitScore", Path.Combine(dir, "mlood-scores", "maxlogit.npy"), square: false);
            Negated(rows, "KnnScore", Path.Combine(dir, "mlood-scores", "knn_faiss.npy"), square: true);
            Negated(rows, "MahalanobisScore", Path.Combine(dir, "mlood-scores", "mahalanobis.npy"), square: false);

            // posthoc.py's inputs (its own names) and MlOod's post-hoc scores as they are (higher = OOD).
            Directory.CreateDirectory(Path.Combine(dir, "mlood-posthoc"));
            Npy.WriteFloat32(Path.Combine(dir, "features.npy"), embedding.SelectMany(e => e).ToArray(), embedding.Length, embedding[0].Length);
            Npy.WriteFloat32(Path.Combine(dir, "logits.npy"), logits.SelectMany(e => e).ToArray(), logits.Length, logits[0].Length);
            Npy.WriteFloat32(Path.Combine(dir, "weight.npy"), layer.Weights.Span, layer.Classes, layer.Features);
            Npy.WriteFloat32(Path.Combine(dir, "bias.npy"), layer.Bias.Span, 1, layer.Classes);
            Npy.WriteFloat32(Path.Combine(dir, "train_features.npy"), trainEmbedding.SelectMany(e => e).ToArray(), trainEmbedding.Length, trainEmbedding[0].Length);
            Npy.WriteInt64(Path.Combine(dir, "train_labels.npy"), trainLabels);
            Npy.WriteFloat32(Path.Combine(dir, "validation_logits.npy"), validationLogits.SelectMany(e => e).ToArray(), validationLogits.Length, validationLogits[0].Length);
            Npy.WriteInt64(Path.Combine(dir, "validation_labels.npy"), validationLabels);
            foreach (var (column, peer) in PostHocHeads)
            {
                Npy.WriteFloat64(Path.Combine(dir, "mlood-posthoc", peer + ".npy"), rows.GetColumn<float>(column).Select(v => (double)v).ToArray());
            }
        }
    }

    /// <summary>The commands that run the peer on each dumped set and compare its scores and metrics with MlOod's.</summary>
    public static string CompareCommands(string folder, IReadOnlyList<(string Name, int Set)> sets)
    {
        string peer = Path.Combine(Repository.Root, "tests", "Ml.Ood.Benchmarks", "peer", "peer.py");
        string postHoc = Path.Combine(Repository.Root, "tests", "Ml.Ood.Benchmarks", "peer", "posthoc.py");
        var lines = new List<string> { "  # Debian packages: apt-get install -y python3-numpy python3-faiss libopenblas0-pthread" };
        foreach (var (name, _) in sets)
        {
            string dir = Path.Combine(folder, name);
            lines.Add($"  /usr/bin/python3 {peer} run --data {dir} --scores msp,maxlogit,energy,knn,mahalanobis --knn-backend faiss --dump-scores {dir}/peer-scores --out {dir}/peer.json");
            lines.Add($"  /usr/bin/python3 {peer} compare {dir}/peer-scores {dir}/mlood-scores --is-ood {dir}/test_is_ood.npy --atol 1e-4 --rtol 0");
            lines.Add($"  /usr/bin/python3 {postHoc} score --data {dir} --out {dir}/peer-posthoc");
            lines.Add($"  /usr/bin/python3 {postHoc} compare {dir}/peer-posthoc {dir}/mlood-posthoc --tolerance 1e-4");
        }
        return string.Join(Environment.NewLine, lines);
    }

    private static void Negated(IDataView rows, string column, string path, bool square)
        => Npy.WriteFloat64(path, rows.GetColumn<float>(column).Select(v => square ? -(double)v * v : -(double)v).ToArray());
}
