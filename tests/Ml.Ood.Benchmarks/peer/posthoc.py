#!/usr/bin/python3
"""numpy peer for the post-hoc heads (issue 12): an implementation of each formula written from
docs/FORMULAS.md and OpenOOD v1.5's postprocessors, independent of MlOod's ONNX graphs.

Scores are MlOod's: higher = more likely OOD (the negation of OpenOOD's confidence), as in
tests/ReferenceVectors/posthoc_*.json and delta_energy.json.

  posthoc.py selfcheck [--vectors DIR]     every case of the reference vectors, within 1e-5 (relative above 1)
  posthoc.py make --out DIR [--rows 100000] [--dims 512] [--classes 1000] [--train 20000]
                                           synthetic features, layer and training rows for the speed benchmark
  posthoc.py score --data DIR --out DIR    every head's scores of DIR/features.npy (fitted on DIR/train_*.npy); with
                                           DIR/logits.npy also GEN and temperature scaling (T fitted on
                                           DIR/validation_logits.npy and validation_labels.npy)
  posthoc.py compare A B [--tolerance 1e-4] every score file in both folders, within tolerance (relative above 1)
  posthoc.py bench --data DIR [--threads 2] [--repeat 3]
                                           seconds per head to score DIR/features.npy (fits excluded), JSON
Inputs of score/bench (.npy, float32 unless said): features [M, D], weight [C, D], bias [C],
train_features [N, D], train_labels [N] (int), optional logits [M, C] (else W h + b).
"""
import argparse
import json
import os
import sys
import time


def import_numpy(threads):
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    global np
    import numpy as np  # noqa: E402  (after the thread count is set)
    return np


# ---- building blocks -------------------------------------------------------------------------------

def lse(z):
    m = z.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]


def logits_of(h, w, b):
    return h @ w.T + b


def unit(x):
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(n, 1e-30)


def kept_count(dims, percentile):
    # OpenOOD's ash_*: k = n - int(np.round(n * percentile / 100.0)); SCALE uses the same k
    return dims - int(np.round(dims * percentile / 100.0))


def top_k_mask(h, k):
    idx = np.argpartition(-h, k - 1, axis=1)[:, :k]
    mask = np.zeros(h.shape, dtype=bool)
    np.put_along_axis(mask, idx, True, axis=1)
    return mask


# ---- heads on features and the classifier's last layer ----------------------------------------------

def fit_react(train, percentile):
    return float(np.percentile(train.astype(np.float64).ravel(), percentile))  # numpy "linear"


def react(h, w, b, clip):
    return -lse(logits_of(np.minimum(h, clip), w, b))


def ash(h, w, b, percentile, mode):
    k = kept_count(h.shape[1], percentile)
    mask = top_k_mask(h, k)
    s1 = h.sum(axis=1, keepdims=True)
    kept = np.where(mask, h, 0)
    if mode == "p":
        shaped = kept
    elif mode == "b":
        shaped = np.where(mask, s1 / k, 0)
    else:  # "s"
        shaped = kept * np.exp(s1 / kept.sum(axis=1, keepdims=True))
    return -lse(logits_of(shaped, w, b))


def scale(h, w, b, percentile):
    k = kept_count(h.shape[1], percentile)
    s1 = h.sum(axis=1, keepdims=True)
    s2 = np.where(top_k_mask(h, k), h, 0).sum(axis=1, keepdims=True)
    return -lse(logits_of(h * np.exp(s1 / s2), w, b))


def fit_vim(train, w, b, dim):
    w64, b64, t64 = w.astype(np.float64), b.astype(np.float64), train.astype(np.float64)
    u = -np.linalg.pinv(w64) @ b64
    x = t64 - u
    cov = x.T @ x / len(x)  # uncentred, biased (sklearn EmpiricalCovariance(assume_centered=True))
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(-values)
    ns = vectors[:, order[dim:]]
    alpha = (t64 @ w64.T + b64).max(axis=1).mean() / np.linalg.norm(x @ ns, axis=1).mean()
    return u, ns, float(alpha)


def vim(h, w, b, state):
    u, ns, alpha = state
    h64 = h.astype(np.float64)
    return alpha * np.linalg.norm((h64 - u) @ ns, axis=1) - lse(logits_of(h64, w.astype(np.float64), b.astype(np.float64)))


def fit_rmds(train, labels):
    """Class means, the shared precision P (class-centred rows) and the background's mean and precision P_0, each
    precision kept as a factor L (P = L L^T, from its eigen-decomposition) so that scoring is one product per row."""
    t64 = train.astype(np.float64)
    classes = np.unique(labels)
    means = np.stack([t64[labels == c].mean(axis=0) for c in classes])
    centred = t64 - means[np.searchsorted(classes, labels)]
    mean0 = t64.mean(axis=0)

    def factor(x):
        precision = np.linalg.pinv(x.T @ x / len(x), hermitian=True)  # biased covariance, pseudo-inverse
        values, vectors = np.linalg.eigh(precision)
        return vectors * np.sqrt(np.clip(values, 0, None))

    lc, l0 = factor(centred), factor(t64 - mean0)
    return means @ lc, lc, mean0, l0


def rmds(h, state):
    """min_c (h-mu_c)^T P (h-mu_c) - (h-mu_0)^T P_0 (h-mu_0), as squared distances of whitened rows, in float64."""
    white_means, lc, mean0, l0 = state
    x = h.astype(np.float64)
    z = x @ lc
    md = (z * z).sum(axis=1, keepdims=True) - 2 * z @ white_means.T + (white_means * white_means).sum(axis=1)
    z0 = (x - mean0) @ l0
    return md.min(axis=1) - (z0 * z0).sum(axis=1)


def fit_fdbd(train, w):
    """The training mean and 1/||w_c - w_j|| for every pair of classes (0 on the diagonal, whose term is 0)."""
    w64 = w.astype(np.float64)
    dist = np.stack([np.linalg.norm(w64 - w64[c], axis=1) for c in range(len(w64))])
    return train.astype(np.float64).mean(axis=0), np.divide(1.0, dist, out=np.zeros_like(dist), where=dist > 0)


def fdbd(h, w, b, state):
    train_mean, inv = state
    f = logits_of(h, w, b)
    top = f.argmax(axis=1)
    gap = np.abs(f[np.arange(len(f)), top][:, None] - f)
    return -(gap * inv[top]).sum(axis=1) / np.linalg.norm(h - train_mean, axis=1)


def fit_nnguide(train, w, b):
    return unit(train) * lse(logits_of(train, w, b))[:, None]


def nnguide(h, w, b, bank, k, block=2048):
    out = np.empty(len(h))
    for s in range(0, len(h), block):
        x = h[s:s + block]
        sims = unit(x) @ bank.T
        top = -np.partition(-sims, k - 1, axis=1)[:, :k]
        out[s:s + block] = -top.mean(axis=1) * lse(logits_of(x, w, b))
    return out


# ---- heads on logits --------------------------------------------------------------------------------

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def gen(z, gamma=0.1, m=100):
    """sum over the m largest p of p^g (1-p)^g, with 1 - p_max as the other classes' mass (no cancellation when p_max
    rounds to 1: a confident row would otherwise lose its largest term)."""
    z = z.astype(np.float64)
    order = np.argsort(-z, axis=1)
    total = lse(z)
    p = np.exp(np.take_along_axis(z, order[:, :m], axis=1) - total[:, None])
    one_minus = 1 - p
    if z.shape[1] > 1:
        others = z.copy()
        np.put_along_axis(others, order[:, :1], -np.inf, axis=1)
        one_minus[:, 0] = np.exp(lse(others) - total)
    return (p ** gamma * one_minus ** gamma).sum(axis=1)


def fit_temperature(z, labels):
    """The T that minimises the mean NLL of softmax(z / T): Newton on beta = 1/T (the NLL is convex in beta)."""
    z = z.astype(np.float64)
    zy = z[np.arange(len(z)), labels]
    beta = 1.0
    for _ in range(200):
        p = softmax(beta * z)
        mean_z = (p * z).sum(axis=1)
        grad = (mean_z - zy).mean()
        hess = ((p * z * z).sum(axis=1) - mean_z ** 2).mean()
        step = grad / hess
        while beta - step <= 0:
            step /= 2
        beta -= step
        if abs(step) < 1e-15 * max(1.0, beta):
            break
    return 1.0 / beta


def temperature_scaling(z, t):
    return -softmax(z.astype(np.float64) / t).max(axis=1)


def joint_energy(z):
    z = z.astype(np.float64)
    return -(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))).sum(axis=1)


def delta_energy(cos, t=0.01, lowered=0.0, top=1):
    s = cos.astype(np.float64)
    lowered_s = s.copy()
    idx = np.argsort(-s, axis=1)[:, :top]
    np.put_along_axis(lowered_s, idx, lowered, axis=1)
    return -(lse(s / t) - lse(lowered_s / t))


# ---- commands ---------------------------------------------------------------------------------------

def close(expected, actual, tol=1e-5):
    e, a = np.asarray(expected, np.float64), np.asarray(actual, np.float64)
    return float(np.max(np.abs(e - a) / np.maximum(1.0, np.abs(e))))


def cmd_selfcheck(args):
    v = args.vectors
    f = json.load(open(os.path.join(v, "posthoc_features.json")))
    h, w, b = (np.array(f[k], np.float64) for k in ("features", "weight", "bias"))
    train, labels = np.array(f["train_features"], np.float64), np.array(f["train_labels"])
    worst = []
    for c in f["cases"]:
        head = c["head"]
        if head == "react":
            clip = fit_react(train, c["percentile"])
            worst.append(("react clip", close([c["clip"]], [clip])))
            s = react(h, w, b, clip)
        elif head.startswith("ash_"):
            s = ash(h, w, b, c["percentile"], head[-1])
        elif head == "scale":
            s = scale(h, w, b, c["percentile"])
        elif head == "vim":
            state = fit_vim(train, w, b, c["dim"])
            worst.append(("vim alpha", close([c["alpha"]], [state[2]])))
            s = vim(h, w, b, state)
        elif head == "rmds":
            s = rmds(h, fit_rmds(train, labels))
        elif head == "fdbd":
            s = fdbd(h, w, b, fit_fdbd(train, w))
        elif head == "nnguide":
            s = nnguide(h, w, b, fit_nnguide(train, w, b), c["k"])
        worst.append((f"{head} {c.get('percentile', c.get('dim', c.get('k', '')))}", close(c["score"], s)))
    g = json.load(open(os.path.join(v, "posthoc_logits.json")))
    z = np.array(g["logits"], np.float64)
    for c in g["cases"]:
        head = c["head"]
        if head == "gen":
            s = gen(z, c["gamma"], c["M"])
        elif head == "temperature_scaling":
            t = c["temperature"]
            if c["how"] == "fitted":
                t = fit_temperature(np.array(g["validation_logits"]), np.array(g["validation_labels"]))
                worst.append(("fitted T", close([c["temperature"]], [t])))
            s = temperature_scaling(z, t)
        elif head == "joint_energy":
            s = joint_energy(np.array(g["multi_label_logits"]))
        worst.append((head, close(c["score"], s)))
    d = json.load(open(os.path.join(v, "delta_energy.json")))
    for c in d["cases"]:
        s = delta_energy(np.array(d["cosine"]), c["temperature"], c["lowered_to"], c["top"])
        worst.append((f"delta_energy T={c['temperature']}", close(c["score"], s)))
    for name, err in worst:
        print(f"{name:28s} max relative difference {err:.2e}")
    bad = [n for n, e in worst if not e <= 1e-5]
    print("all within 1e-5" if not bad else f"OUTSIDE 1e-5: {bad}")
    return 1 if bad else 0


def cmd_make(args):
    rng = np.random.default_rng(args.seed)
    d, c = args.dims, args.classes
    centres = rng.normal(0, 1, (c, d)).astype(np.float32)
    def rows(n, labels):
        return np.maximum(centres[labels] + rng.normal(0, 1.5, (n, d)).astype(np.float32), 0)  # post-ReLU features
    train_labels = rng.integers(0, c, args.train)
    train = rows(args.train, train_labels)
    w = (centres / np.linalg.norm(centres, axis=1, keepdims=True) * 0.2).astype(np.float32)
    b = rng.normal(0, 0.1, c).astype(np.float32)
    test = rows(args.rows, rng.integers(0, c, args.rows))
    os.makedirs(args.out, exist_ok=True)
    for name, a in (("features", test), ("weight", w), ("bias", b), ("train_features", train),
                    ("train_labels", train_labels.astype(np.int64))):
        np.save(os.path.join(args.out, name + ".npy"), a)
    print(f"{args.out}: features {test.shape}, weight {w.shape}, train {train.shape}")


def load(data):
    get = lambda n: np.load(os.path.join(data, n + ".npy"))
    return get("features"), get("weight"), get("bias").ravel(), get("train_features"), get("train_labels").ravel()


def heads(h, w, b, train, labels, k=100, vim_dim=None):
    """(name, fit(), score(state, rows)) for every feature head, MlOod's defaults; rows: a slice of h."""
    d = h.shape[1]
    dim = vim_dim or max(1, d // 8)
    return [
        ("react", lambda: fit_react(train, 90), lambda c, r: react(h[r], w, b, c)),
        ("ash_p", lambda: None, lambda _, r: ash(h[r], w, b, 90, "p")),
        ("ash_b", lambda: None, lambda _, r: ash(h[r], w, b, 90, "b")),
        ("ash_s", lambda: None, lambda _, r: ash(h[r], w, b, 90, "s")),
        ("scale", lambda: None, lambda _, r: scale(h[r], w, b, 85)),
        ("vim", lambda: fit_vim(train, w, b, dim), lambda s, r: vim(h[r], w, b, s)),
        ("rmds", lambda: fit_rmds(train, labels), lambda s, r: rmds(h[r], s)),
        ("fdbd", lambda: fit_fdbd(train, w), lambda s, r: fdbd(h[r], w, b, s)),
        ("nnguide", lambda: fit_nnguide(train, w, b), lambda g, r: nnguide(h[r], w, b, g, min(k, len(g)))),
    ]


def blocked(score, state, rows, block=8192):
    """Scores rows in blocks, as a numpy user would to keep temporaries in memory (and in cache)."""
    return np.concatenate([score(state, slice(s, min(s + block, rows))) for s in range(0, rows, block)])


def cmd_score(args):
    h, w, b, train, labels = load(args.data)
    os.makedirs(args.out, exist_ok=True)
    for name, fit, score in heads(h, w, b, train, labels, vim_dim=args.vim_dim):
        np.save(os.path.join(args.out, name + ".npy"), blocked(score, fit(), len(h)).astype(np.float64))
    logits = os.path.join(args.data, "logits.npy")
    if os.path.exists(logits):  # the logit-only heads, with MlOod's defaults; T fitted on the validation rows
        z = np.load(logits)
        np.save(os.path.join(args.out, "gen.npy"), gen(z))
        vz, vy = (os.path.join(args.data, f) for f in ("validation_logits.npy", "validation_labels.npy"))
        if os.path.exists(vz) and os.path.exists(vy):
            t = fit_temperature(np.load(vz), np.load(vy).ravel().astype(np.int64))
            print(f"temperature fitted on the validation rows: {t:.6f}")
            np.save(os.path.join(args.out, "temperature_scaling.npy"), temperature_scaling(z, t))
    print(f"scores written to {args.out}")


def cmd_compare(args):
    """Element-wise: |a - b| <= tolerance * max(1, |a|) for every score file in both folders."""
    worst, failed = {}, []
    for f in sorted(os.listdir(args.a)):
        other = os.path.join(args.b, f)
        if not f.endswith(".npy") or not os.path.exists(other):
            continue
        a, b = np.load(os.path.join(args.a, f)).astype(np.float64).ravel(), np.load(other).astype(np.float64).ravel()
        if a.shape != b.shape:
            failed.append(f"{f}: shape {a.shape} vs {b.shape}")
            continue
        err = close(a, b)
        worst[f[:-4]] = err
        if not err <= args.tolerance:
            failed.append(f"{f}: {err:.2e}")
    for name, err in worst.items():
        print(f"{name:22s} max difference (relative above 1) {err:.2e}")
    print(f"{len(worst)} heads compared; " + ("all within " + str(args.tolerance) if not failed else "OUTSIDE: " + ", ".join(failed)))
    return 1 if failed or not worst else 0


def cmd_bench(args):
    h, w, b, train, labels = load(args.data)
    result = {"rows": int(h.shape[0]), "dims": int(h.shape[1]), "classes": int(w.shape[0]), "threads": args.threads,
              "numpy": np.__version__, "seconds": {}}
    only = set(args.heads.split(",")) if args.heads else None
    for name, fit, score in heads(h, w, b, train, labels, vim_dim=args.vim_dim):
        if only and name not in only:
            continue
        state = fit()
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            blocked(score, state, len(h))
            times.append(time.perf_counter() - t0)
        result["seconds"][name] = min(times)
        print(f"{name:8s} {min(times):7.3f} s", file=sys.stderr)
    json.dump(result, sys.stdout, indent=1)
    print()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    sub = p.add_subparsers(dest="cmd", required=True)
    here = os.path.dirname(os.path.abspath(__file__))
    s = sub.add_parser("selfcheck")
    s.add_argument("--vectors", default=os.path.join(here, "..", "..", "ReferenceVectors"))
    m = sub.add_parser("make")
    m.add_argument("--out", required=True)
    m.add_argument("--rows", type=int, default=100_000)
    m.add_argument("--dims", type=int, default=512)
    m.add_argument("--classes", type=int, default=1000)
    m.add_argument("--train", type=int, default=20_000)
    m.add_argument("--seed", type=int, default=0)
    cmp = sub.add_parser("compare")
    cmp.add_argument("a")
    cmp.add_argument("b")
    cmp.add_argument("--tolerance", type=float, default=1e-4)
    for name in ("score", "bench"):
        c = sub.add_parser(name)
        c.add_argument("--data", required=True)
        c.add_argument("--vim-dim", type=int, default=None)
        if name == "score":
            c.add_argument("--out", required=True)
        else:
            c.add_argument("--repeat", type=int, default=3)
            c.add_argument("--heads", default=None, help="comma-separated subset")
    args = p.parse_args()
    import_numpy(args.threads)
    commands = {"selfcheck": cmd_selfcheck, "make": cmd_make, "score": cmd_score, "bench": cmd_bench, "compare": cmd_compare}
    return commands[args.cmd](args) or 0


if __name__ == "__main__":
    sys.exit(main())
