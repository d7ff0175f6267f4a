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
    public static void Write(MLContext ml, IDataView scored, IDataView train, string folder)
    {
        var trainEmbedding = train.GetColumn<float[]>("embedding").ToArray();
        var trainLabels = train.GetColumn<float>("Label").Select(l => (long)l).ToArray();
        foreach (var (name, set) in new[] { ("near", 1f), ("far", -1f) })
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
        }
    }

    private static void Negated(IDataView rows, string column, string path, bool square)
        => Npy.WriteFloat64(path, rows.GetColumn<float>(column).Select(v => square ? -(double)v * v : -(double)v).ToArray());
}
