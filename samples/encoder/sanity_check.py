"""Sanity numbers for issue 6's targets, from the committed mnist_lenet.onnx.

    bash samples/data/fetch.sh && /usr/bin/python3 samples/encoder/sanity_check.py [--dump DIR]

ID: 2,000 MNIST test images. Near-OOD: 2,000 Fashion-MNIST test images. Far-OOD: 2,000 28 x 28
crops of the skimage textures (mnist_data.texture_crops). Subsets are drawn with numpy's
default_rng(SEED) as documented in samples/encoder/README.md. Scores follow MlOod's convention,
higher = more likely OOD, and OOD is the positive class of the AUROC:
  energy   = -logsumexp(logits)                       (Liu et al. 2020, T = 1)
  msp      = -max softmax(logits)                     (Hendrycks & Gimpel 2017)
  maxlogit = -max logits                              (Hendrycks et al. 2022)
  knn      = distance to the 50th nearest neighbour among 10,000 L2-normalised MNIST training
             embeddings, itself L2-normalised            (Sun et al. 2022)
  knn-raw  = the same on raw pixels / 255 instead of embeddings (a baseline without the encoder)
--dump DIR writes, per OOD set, the arrays tests/Ml.Ood.Benchmarks/peer/peer.py reads, to cross-check.
"""

import argparse
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True  # no __pycache__ folder in the samples tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_data  # noqa: E402
from train_encoder import LeNet, ONNX_PATH, as_input  # noqa: E402

SEED = 0
N = 2000
BANK = 10_000
K = 50


def load_onnx_into_torch(path):
    """Runs the committed ONNX weights (not a retrained model): initializer names are the
    state_dict keys because the graph was exported from LeNet."""
    import onnx
    from onnx import numpy_helper

    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(path).graph.initializer}
    model = LeNet()
    model.load_state_dict(weights, strict=True)
    return model.eval()


@torch.no_grad()
def encode(model, images):
    outs = [model(as_input(images[i : i + 1000])) for i in range(0, len(images), 1000)]
    return torch.cat([o[0] for o in outs]).numpy(), torch.cat([o[1] for o in outs]).numpy()


def auroc(id_scores, ood_scores):
    """Probability that an OOD sample scores above an ID sample, ties counting 1/2 (Mann-Whitney U)."""
    scores = np.concatenate([id_scores, ood_scores]).astype(np.float64)
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n_id, n_ood = len(id_scores), len(ood_scores)
    return (ranks[n_id:].sum() - n_ood * (n_ood + 1) / 2) / (n_id * n_ood)


def fpr_at_95_tpr(id_scores, ood_scores):
    """Fraction of OOD samples accepted as ID (score <= threshold) at the lowest threshold that
    accepts at least 95% of ID samples: the papers' FPR@95, as peer.py's fpr95_id_positive."""
    kept = int(np.ceil(0.95 * len(id_scores) - 1e-9))
    threshold = np.sort(id_scores)[kept - 1]
    return float((ood_scores <= threshold).mean())


def l2n(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def knn_score(bank, queries, k=K):
    bank, queries = l2n(bank.astype(np.float32)), l2n(queries.astype(np.float32))
    out = np.empty(len(queries))
    for i in range(0, len(queries), 500):
        # squared distance between unit vectors = 2 - 2 cos
        d2 = np.maximum(2.0 - 2.0 * queries[i : i + 500] @ bank.T, 0.0)
        out[i : i + 500] = np.sqrt(np.partition(d2, k - 1, axis=1)[:, k - 1])
    return out


def logit_scores(logits):
    z = logits.astype(np.float64)
    m = z.max(1, keepdims=True)
    lse = (m + np.log(np.exp(z - m).sum(1, keepdims=True)))[:, 0]
    return {"energy": -lse, "msp": -np.exp(z.max(1) - lse), "maxlogit": -z.max(1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", help="write peer.py input arrays per OOD set under this folder")
    args = parser.parse_args()
    torch.set_num_threads(2)

    rng = np.random.default_rng(SEED)
    mnist_train, train_labels = mnist_data.load_split("mnist", "train")
    mnist_test, test_labels = mnist_data.load_split("mnist", "t10k")
    fashion_test, _ = mnist_data.load_split("fashion-mnist", "t10k")
    bank_idx = np.sort(rng.choice(len(mnist_train), BANK, replace=False))
    id_idx = np.sort(rng.choice(len(mnist_test), N, replace=False))
    near_idx = np.sort(rng.choice(len(fashion_test), N, replace=False))
    sets = {
        "id": mnist_test[id_idx],
        "near (Fashion-MNIST)": fashion_test[near_idx],
        "far (textures)": mnist_data.texture_crops(N, seed=SEED),
    }

    model = load_onnx_into_torch(ONNX_PATH)
    bank_emb, _ = encode(model, mnist_train[bank_idx])
    bank_raw = mnist_train[bank_idx].reshape(BANK, -1) / 255.0
    scores, encoded = {}, {}
    for name, images in sets.items():
        emb, logits = encode(model, images)
        encoded[name] = (emb, logits)
        scores[name] = logit_scores(logits)
        scores[name]["knn"] = knn_score(bank_emb, emb)
        scores[name]["knn-raw"] = knn_score(bank_raw, images.reshape(len(images), -1) / 255.0)

    id_acc = (encoded["id"][1].argmax(1) == test_labels[id_idx]).mean()
    print(f"ID subset accuracy: {id_acc:.4f}  (bank {BANK} train, k = {K}, {N} per set, seed {SEED})")
    print(f"{'method':<10} {'OOD set':<22} {'AUROC':>7} {'FPR@95':>7}")
    for ood in ("near (Fashion-MNIST)", "far (textures)"):
        for method in ("energy", "msp", "maxlogit", "knn", "knn-raw"):
            a = auroc(scores["id"][method], scores[ood][method])
            f = fpr_at_95_tpr(scores["id"][method], scores[ood][method])
            print(f"{method:<10} {ood:<22} {a:7.4f} {f:7.4f}")

    if args.dump:
        bank_labels = train_labels[bank_idx].astype(np.int64)
        for ood, short in (("near (Fashion-MNIST)", "near"), ("far (textures)", "far")):
            d = os.path.join(args.dump, short)
            os.makedirs(d, exist_ok=True)
            np.save(os.path.join(d, "train_emb.npy"), bank_emb)
            np.save(os.path.join(d, "train_labels.npy"), bank_labels)
            np.save(os.path.join(d, "test_emb.npy"), np.concatenate([encoded["id"][0], encoded[ood][0]]))
            np.save(os.path.join(d, "test_logits.npy"), np.concatenate([encoded["id"][1], encoded[ood][1]]))
            np.save(os.path.join(d, "test_labels.npy"),
                    np.concatenate([test_labels[id_idx], np.zeros(N, np.uint8)]).astype(np.int64))
            np.save(os.path.join(d, "test_is_ood.npy"), np.concatenate([np.zeros(N, bool), np.ones(N, bool)]))
        print(f"wrote peer.py inputs under {args.dump}/near and {args.dump}/far")


if __name__ == "__main__":
    main()
