#!/usr/bin/env python3
"""OODD's numpy peer (Yang et al., CVPR 2025), written from docs/FORMULAS.md "Test-time adaptive detectors" and
zxk1212/OODD openood/postprocessors/knn_postprocessor.py (conf_postprocess), with MlOod's sign (higher = OOD).

  oodd.py check [oodd.json]                 both cases of the reference vectors (must be within 1e-5)
  oodd.py make --out DIR [--rows --bank --dim --seed]   a synthetic bank and stream (float32 .npy, unit rows)
  oodd.py bench --data DIR [--k1 --k2 --q --b --repeat --dump OUT.npy]   rows/s of the numpy OODD, best of --repeat

The dictionary update keeps the q rows of lowest s_id of (held + batch), which is what the official per-row
push/pop of a PriorityQueue keeps; ties keep the earlier row (a stable sort), as MlOod does. s_id and s_ood are
one float32 matmul per batch (OpenBLAS) and np.partition for the k-th largest.
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def unit(x):
    x = np.asarray(x, dtype=np.float32)
    scale = np.abs(x).max(axis=1, keepdims=True)
    scale[scale == 0] = 1
    x = x / scale
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    norm[norm == 0] = 1
    return (x / norm).astype(np.float32)


def kth_largest(sims, k):
    """The k-th largest value of each row (k = 1 is the maximum)."""
    return -np.partition(-sims, k - 1, axis=1)[:, k - 1]


def informative_bank(features, labels, logits, alpha):
    """Per class by MSP descending (stable), classes ascending, interleaved rank by rank; first floor(alpha N)."""
    z = logits - logits.max(axis=1, keepdims=True)
    msp = 1.0 / np.exp(z).sum(axis=1)
    per_class = [np.flatnonzero(labels == c)[np.argsort(-msp[labels == c], kind="stable")] for c in np.unique(labels)]
    order = [members[r] for r in range(max(len(m) for m in per_class)) for members in per_class if r < len(members)]
    return unit(features)[np.array(order[: int(np.floor(alpha * len(order)))])]


def oodd(bank, stream, k1, k2, q, b):
    """Scores (s_ood - s_id) of the stream in update batches of b rows; bank rows unit, stream rows raw."""
    bank_t = np.ascontiguousarray(bank.T)
    width = stream.shape[1]
    held = np.empty((0, width), dtype=np.float32)
    keys = np.empty(0, dtype=np.float32)
    order = np.empty(0, dtype=np.int64)
    pushed = 0
    scores = np.empty(len(stream), dtype=np.float32)
    for start in range(0, len(stream), b):
        rows = unit(stream[start:start + b])
        s_id = kth_largest(rows @ bank_t, k1)
        candidates = np.concatenate([held, rows])
        candidate_keys = np.concatenate([keys, s_id])
        candidate_order = np.concatenate([order, np.arange(pushed, pushed + len(rows))])
        pushed += len(rows)
        keep = np.lexsort((candidate_order, candidate_keys))[:q]
        held, keys, order = candidates[keep], candidate_keys[keep], candidate_order[keep]
        s_ood = kth_largest(rows @ held.T, k2) if len(held) >= k2 else np.full(len(rows), np.nan, np.float32)
        scores[start:start + len(rows)] = s_ood - s_id
    return scores


def check(path):
    data = json.load(open(path))
    features = np.array(data["train_features"], dtype=np.float32)
    labels = np.array(data["train_labels"])
    logits = np.array(data["train_logits"], dtype=np.float64)
    stream = np.array(data["stream"], dtype=np.float32)
    worst = 0.0
    for case in data["cases"]:
        bank = informative_bank(features, labels, logits, case["alpha"])
        got = oodd(bank, stream, case["K1"], case["K2"], case["capacity"], case["batch"])
        diff = float(np.max(np.abs(got - np.array(case["score"]))))
        worst = max(worst, diff)
        print(f"alpha {case['alpha']}: max |peer - oodd.json| = {diff:.2e}")
    return 0 if worst <= 1e-5 else 1


def make(out, rows, bank_rows, dim, seed):
    rng = np.random.default_rng(seed)
    centres = unit(rng.standard_normal((100, dim)))
    bank = unit(centres[rng.integers(0, 100, bank_rows)] + 0.6 * rng.standard_normal((bank_rows, dim)) / np.sqrt(dim) * 4)
    is_ood = rng.random(rows) < 0.5
    inlier = centres[rng.integers(0, 100, rows)] + 0.6 * rng.standard_normal((rows, dim)) / np.sqrt(dim) * 4
    outlier = rng.standard_normal((rows, dim))
    stream = unit(np.where(is_ood[:, None], outlier, inlier))
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "oodd_bank.npy"), bank.astype(np.float32))
    np.save(os.path.join(out, "oodd_stream.npy"), stream.astype(np.float32))
    np.save(os.path.join(out, "oodd_is_ood.npy"), is_ood)
    return 0


def bench(folder, k1, k2, q, b, repeat, dump):
    bank = np.load(os.path.join(folder, "oodd_bank.npy"))
    stream = np.load(os.path.join(folder, "oodd_stream.npy"))
    best, scores = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        scores = oodd(bank, stream, k1, k2, q, b)
        best = min(best, time.perf_counter() - t)
    if dump:
        np.save(dump, scores.astype(np.float64))
    print(json.dumps({"rows": len(stream), "bank": len(bank), "seconds": best, "rows_per_s": len(stream) / best}))
    return 0


def main(argv):
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("path", nargs="?", default=os.path.join(os.path.dirname(__file__), "../../ReferenceVectors/oodd.json"))
    m = sub.add_parser("make")
    m.add_argument("--out", required=True)
    m.add_argument("--rows", type=int, default=100_000)
    m.add_argument("--bank", type=int, default=50_000)
    m.add_argument("--dim", type=int, default=512)
    m.add_argument("--seed", type=int, default=1)
    bch = sub.add_parser("bench")
    bch.add_argument("--data", required=True)
    bch.add_argument("--k1", type=int, default=100)
    bch.add_argument("--k2", type=int, default=100)
    bch.add_argument("--q", type=int, default=2048)
    bch.add_argument("--b", type=int, default=512)
    bch.add_argument("--repeat", type=int, default=3)
    bch.add_argument("--dump")
    a = p.parse_args(argv)
    if a.cmd == "check":
        return check(a.path)
    if a.cmd == "make":
        return make(a.out, a.rows, a.bank, a.dim, a.seed)
    return bench(a.data, a.k1, a.k2, a.q, a.b, a.repeat, a.dump)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
