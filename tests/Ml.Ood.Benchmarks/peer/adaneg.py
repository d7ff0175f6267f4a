#!/usr/bin/python3
"""adaneg.py - a numpy transcription of AdaNeg's gradient-free test-time rule, and the generator of
tests/ReferenceVectors/adaneg_stream.json.

Source: github YBZh/OpenOOD-VLM, commit 804f3310d3045c24fdd896da6c508c919fb47f0c,
  openood/postprocessors/ttaprompt_postprocessor.py, class TTAPromptPostprocessor_noadagap:
    lines 772-779  memory reset: feat_memory [C+M, 1+L, D] = (text feature, L zero slots); indice_memory = 1
                   per label; entropy_memory [C+M, 1+L] = 0
    lines 783-809  vanilla grouped NegLabel confidence conf_in_vanilla (logit_scale * cosines; the last M mod G
                   negatives dropped, then an optional seeded permutation, G contiguous groups, mean over groups
                   of the softmax mass on the C ID labels)
    lines 813-839  ID update: rows with conf_in_vanilla > thres + gap (1 - thres), in batch order, go to the slot
                   of their predicted ID class (argmax of the ID logits); entropy of the softmax over the C ID
                   logits, -sum p log(p + 1e-8)
    lines 842-868  negative update: rows with conf_in_vanilla < thres - gap thres, in batch order, go to the slot
                   of their nearest negative label (argmax over ALL M negative logits, the dropped ones included);
                   entropy of the softmax over all M negative logits
                   Slot rule (both): if indice == L the memory counts as full: when the row's entropy is below
                   at least one stored entropy (slot 0 and the never-written slot L hold 0), the slot that sorts
                   last by entropy (torch.sort ascending, indice[-1]) is overwritten; else the row is written at
                   slot indice and indice += 1. indice starts at 1, so slots 1..L-1 fill and slot L stays zero.
    lines 893-894  proxies: feat_memory.mean(1) over all 1+L slots (zeros included), renormalised
    lines 874-891  samada True instead: a proxy per row and label, sum_k exp(-beta (1 - cos(slot_k, row))) slot_k over
                   all 1+L slots (zero slots add nothing), renormalised; beta = int(args.beta) (line 667: imagenet.sh's
                   5.5 becomes 5); the chunking by 1,000 labels only bounds GPU memory
    lines 900-930  adapted grouped NegLabel confidence conf_in on logit_scale * cos(image, proxy), same grouping
    lines 941-942  in_score 'combine': conf = conf_in + lambda * conf_in_vanilla
  Order within a batch: the whole batch updates the memory first (ID loop, then negative loop), then the whole
  batch is scored against the updated memory. Memory reset per evaluated data set (evaluator, not here).
  Settings (scripts/ood/adaneg/imagenet.sh): batch 256, memleng L = 10, thres 0.5, gap 0.5, lambdaval 0.1,
  group_num 5, random_permute True (torch.randperm with seed 0), in_score combine, samada False (the script's second
  run: samada True, beta 5.5 -> 5); logit_scale is CLIP's (100, i.e. tau = 0.01).

MlOod's sign: the score written is -conf (higher = OOD). The rule runs in float32 as in the official code (which
runs in the CLIP model's dtype) or in float64; the generator runs both, checks that they make the same memory
decisions (so the stream has no decision that float rounding could flip) and writes the float64 scores.

Use: /usr/bin/python3 adaneg.py [--out ../../ReferenceVectors/adaneg_stream.json] [--seed 13]
     /usr/bin/python3 adaneg.py --samada 5 --out ../../ReferenceVectors/adaneg_samada_stream.json
"""
import argparse
import json
import re

import numpy as np


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class AdaNeg:
    """The state of TTAPromptPostprocessor_noadagap (in_score 'combine'; samada = beta, or None for False) after its reset."""

    def __init__(self, id_text, neg_text, memory_length=10, thres=0.5, gap=0.5, lambda_val=0.1, groups=5,
                 tau=0.01, permutation=None, dtype=np.float32, samada=None):
        self.dt = dtype
        self.samada = samada
        self.C = id_text.shape[0]
        self.M = neg_text.shape[0]
        self.L = memory_length
        self.thres, self.gap, self.lam, self.G = thres, gap, lambda_val, groups
        self.scale = dtype(1.0 / tau)
        text = np.concatenate([id_text, neg_text]).astype(dtype)
        self.text = text
        self.feat = np.zeros((self.C + self.M, 1 + self.L, text.shape[1]), dtype)
        self.feat[:, 0, :] = text
        self.indice = np.ones(self.C + self.M, np.int64)
        self.entropy = np.zeros((self.C + self.M, 1 + self.L), dtype)
        kept = self.M - self.M % groups
        self.perm = np.arange(kept) if permutation is None else np.asarray(permutation)
        self.appends = 0
        self.replacements = 0

    def _grouped_confidence(self, logits):
        pos = logits[:, :self.C]
        neg = logits[:, self.C:]
        drop = neg.shape[1] % self.G
        if drop > 0:
            neg = neg[:, :-drop]
        neg = neg[:, self.perm].reshape(pos.shape[0], self.G, -1)
        scores = []
        for g in range(self.G):
            full = _softmax(np.concatenate([pos, neg[:, g, :]], axis=-1))
            scores.append(full[:, :self.C].sum(axis=-1))
        return np.stack(scores, axis=-1).mean(axis=-1)

    def _store(self, label, row, entropy, log):
        if self.indice[label] == self.L:
            if (entropy < self.entropy[label]).sum() == 0:
                return
            slot = np.argsort(self.entropy[label], kind="stable")[-1]
            self.feat[label, slot] = row
            self.entropy[label, slot] = entropy
            self.replacements += 1
            log.append(("replace", int(label), int(slot)))
        else:
            slot = self.indice[label]
            self.feat[label, slot] = row
            self.entropy[label, slot] = entropy
            self.indice[label] += 1
            self.appends += 1
            log.append(("append", int(label), int(slot)))

    def score_batch(self, x):
        """Scores one update batch (rows already unit norm, as CLIP's image features are); returns -conf."""
        x = x.astype(self.dt)
        log = []
        logits = self.scale * (x @ self.text.T)
        conf_vanilla = self._grouped_confidence(logits)
        eps = self.dt(1e-8)

        active = conf_vanilla > (self.thres + self.gap * (1 - self.thres))
        pred = logits[:, :self.C].argmax(axis=1)
        prob = _softmax(logits[:, :self.C])
        for i in range(x.shape[0]):
            if active[i]:
                ent = -(prob[i] * np.log(prob[i] + eps)).sum()
                self._store(pred[i], x[i], ent, log)

        active = conf_vanilla < (self.thres - self.gap * self.thres)
        pred = logits[:, self.C:].argmax(axis=1)
        prob = _softmax(logits[:, self.C:])
        for i in range(x.shape[0]):
            if active[i]:
                ent = -(prob[i] * np.log(prob[i] + eps)).sum()
                self._store(pred[i] + self.C, x[i], ent, log)

        if self.samada is None:
            proxies = self.feat.mean(axis=1)
            proxies = proxies / np.linalg.norm(proxies, axis=-1, keepdims=True)
            output = self.scale * (x @ proxies.T)
        else:
            sim = self.feat @ x.T  # labels x (1+L) x rows
            sim = np.exp(-self.dt(self.samada) * (-sim + 1))
            sa = (sim.transpose(2, 0, 1)[..., None] * self.feat[None]).sum(2)  # rows x labels x D
            sa = sa / np.linalg.norm(sa, axis=-1, keepdims=True)
            output = self.scale * (x[:, None, :] * sa).sum(-1)
        conf_in = self._grouped_confidence(output)
        conf = conf_in + conf_vanilla * self.dt(self.lam)
        return -conf, conf_vanilla, log


def unit(a):
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def make_stream(seed, rows, width, id_labels, negatives):
    """Text embeddings and a stream of ID-like, negative-like and in-between rows, shaped like CLIP's geometry:
    every embedding shares a common direction c (text-text cosines near 0.9), the negative labels share an
    "outlier" direction o, and ID (negative) rows are c plus a random-strength pull towards one label plus noise.
    The spreads keep the confident rows' label entropies above ~0.04 nats, where float rounding cannot reorder
    them (the official rule compares entropies)."""
    rng = np.random.default_rng(seed)
    spread = 0.3
    c = unit(rng.standard_normal(width))
    o = rng.standard_normal(width) / np.sqrt(width)
    g = rng.standard_normal((id_labels + negatives, width)) / np.sqrt(width)
    g[id_labels:] += o
    text = unit(c + spread * g)
    kind = rng.choice(3, size=rows, p=[0.45, 0.45, 0.10])
    x = np.empty((rows, width))
    for r in range(rows):
        noise = rng.standard_normal(width) / np.sqrt(width)
        if kind[r] == 2:
            x[r] = c + spread * (rng.uniform(0, 1) * o + noise)
        else:
            target = rng.integers(id_labels) if kind[r] == 0 else id_labels + rng.integers(negatives)
            x[r] = c + spread * (rng.uniform(0.2, 1.0) * g[target] + noise)
    x = unit(x) * rng.uniform(0.5, 2.0, size=(rows, 1))  # not unit: the head normalises its input
    return text[:id_labels].astype(np.float32), text[id_labels:].astype(np.float32), x.astype(np.float32)


def run(id_text, neg_text, x, batch, dtype, **settings):
    # as the head does: each label and row normalised in float64 and rounded to float32 (both runs start from
    # the same float32 unit vectors)
    u32 = lambda a: unit(a.astype(np.float64)).astype(np.float32).astype(dtype)
    state = AdaNeg(u32(id_text), u32(neg_text), dtype=dtype, **settings)
    xs = u32(x)
    scores, vanilla, log = [], [], []
    for start in range(0, xs.shape[0], batch):
        s, v, l = state.score_batch(xs[start:start + batch])
        scores.append(s)
        vanilla.append(v)
        log.extend((start, *e) for e in l)
    return np.concatenate(scores), np.concatenate(vanilla), log, state


def _nine_digits(a):
    """float32 arrays as nested lists of numbers with 9 significant digits (tagged '@', untagged after dumps)."""
    if a.ndim == 1:
        return ["@%.9g" % v for v in a]
    return [_nine_digits(r) for r in a]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="../../ReferenceVectors/adaneg_stream.json")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--rows", type=int, default=2450)
    p.add_argument("--samada", type=int, default=None, help="beta of the sample-adaptive proxies (samada True)")
    a = p.parse_args()
    width, id_labels, negatives, batch = 64, 10, 52, 100
    settings = dict(memory_length=10, thres=0.5, gap=0.5, lambda_val=0.1, groups=5, tau=0.01)
    if a.samada is not None:
        settings["samada"] = a.samada
    id_text, neg_text, x = make_stream(a.seed, a.rows, width, id_labels, negatives)
    s32, v32, log32, st32 = run(id_text, neg_text, x, batch, np.float32, **settings)
    s64, v64, log64, st64 = run(id_text, neg_text, x, batch, np.float64, **settings)
    assert log32 == log64, "float32 and float64 make different memory decisions: pick another seed"
    hi = settings["thres"] + settings["gap"] * (1 - settings["thres"])
    lo = settings["thres"] - settings["gap"] * settings["thres"]
    margin = float(np.minimum(np.abs(v64 - hi), np.abs(v64 - lo)).min())
    print(f"appends {st32.appends}, replacements {st32.replacements}, ID-confident {int((v64 > hi).sum())}, "
          f"negative-confident {int((v64 < lo).sum())}, min |conf - threshold| {margin:.3g}, "
          f"max |score32 - score64| {float(np.abs(s32 - s64).max()):.3g}")
    doc = {
        "note": ("AdaNeg (TTAPromptPostprocessor_noadagap, OpenOOD-VLM 804f331; "
                 + ("samada False" if a.samada is None else f"samada True with beta {a.samada} (settings.samada)")
                 + ", in_score combine) "
                 "transcribed in numpy by tests/Ml.Ood.Benchmarks/peer/adaneg.py; score = -(conf_in + "
                 "lambda conf_in_vanilla), higher = OOD. Rows are not unit norm (the head normalises them). Feed "
                 "the rows in stream order in update batches of `batch` (the last is short); negatives are grouped "
                 "contiguously in the given order after dropping the last M mod G (no permutation). The rule was run "
                 "in float32 (as the official code) and in float64: both make the same memory decisions (appends, "
                 "replacements, slots); the expected values are the float64 run's, the float32 run is within "
                 "max_float32_deviation of them."),
        "settings": dict(settings, batch=batch, width=width),
        "id_labels": id_text,
        "negative_labels": neg_text,
        "rows": x,
        "expected_scores": s64.astype(np.float32),
        "expected_vanilla_confidence": v64.astype(np.float32),
        "max_float32_deviation": float(np.abs(s32 - s64).max()),
        "appends": st32.appends,
        "replacements": st32.replacements,
        "replacements_per_batch": [sum(1 for e in log32 if e[0] == start and e[1] == "replace")
                                   for start in range(0, x.shape[0], batch)],
        "min_threshold_margin": margin,
    }
    # float32 values printed with 9 significant digits round-trip exactly in both numpy and .NET
    text = json.dumps(doc, separators=(",", ":"), default=_nine_digits)
    text = re.sub(r'"@([^"]*)"', r"\1", text)
    with open(a.out, "w") as f:
        f.write(text)
    print(f"wrote {a.out}: {len(text) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
