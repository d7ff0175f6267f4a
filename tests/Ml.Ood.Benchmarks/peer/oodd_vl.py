#!/usr/bin/python3
"""oodd_vl.py - a numpy transcription of OODD's vision-language variants (s_id = the MCM or the NegLabel confidence),
and the generator of tests/ReferenceVectors/oodd_vl_stream.json.

Source: github zxk1212/OODD, commit edbb1a3 (the two CLIP variants; no bank, no K1):
  MCM/eval_ood_detection.py, main(), "## new add--OODD" (MCM + OODD):
    s_id = the MCM confidence max_i softmax(cos(image, text_i) / T)_i, T = 1 (args.T's default), computed by
      MCM/utils/detection_util.py get_ood_scores_clip (which returns -max softmax; OODD negates it back:
      batch_score = - all_output[start:end]); image features divided by (norm + 1e-10), text features unit.
  NegLabel/tools/ood_test.py, main(), "# new add" (NegLabel + OODD):
    s_id = the grouped NegLabel confidence of NegLabel/mmcls/models/ood/clip_ood.py (ScalableClassifier.forward:
      grouping with the last M mod G negatives dropped, torch.randperm(seed 0), G contiguous groups, mean over
      groups of the softmax mass on the C ID labels of logit 100 cos = cos / 0.01; custom_config/clip.py ngroup 100),
      returned as is (higher = ID); image features divided by (norm + 1e-10) (multi_modal.py simple_test).
  Both: queue_size = 2048, batch_size = 64; per batch of 64 rows in stream order, each row is put into a
    queue.PriorityQueue as ScoreData(s_id, image feature), whose __lt__ is "score greater than", and after each put
    queue.get() pops (the LARGEST s_id) while qsize() > queue_size; then the held features (queue.queue, the batch's
    own included) give s_ood = the 5-th largest cosine of each batch row to them (batched_matrix_multiply(new_food,
    batch_data, 5): torch.kthvalue(held @ batch.T, held - 5 + 1, dim=0)); OODD's score = s_id - s_ood (higher = ID).
    No scaling between s_id and s_ood.

MlOod's sign: the score written is s_ood - s_id (higher = OOD). This transcription keeps the official per-row
PriorityQueue put/get (heapq) and checks after every batch that it holds exactly the q rows of lowest s_id of (held +
batch) that MlOod's one sort per batch keeps (so the stream has no tie that the heap layout would decide). The rule is
run in float32 (as the official code) and in float64 with the same eviction decisions; the expected values are the
float64 run's.

Use: /usr/bin/python3 oodd_vl.py [--out ../../ReferenceVectors/oodd_vl_stream.json] [--seed 37]
"""
import argparse
import json
import re
from queue import PriorityQueue

import numpy as np

from adaneg import make_stream, unit


class ScoreData:
    """The official queue entry: the PriorityQueue pops the entry that sorts first, here the largest s_id."""

    def __init__(self, score, data, order):
        self.score = score
        self.data = data
        self.order = order  # the row's place in the stream: not used by the queue, only to check its content

    def __lt__(self, other):
        return float(self.score) > float(other.score)


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def mcm_confidence(x, id_text, temperature):
    return softmax((x @ id_text.T) / temperature).max(axis=1)


def neglabel_confidence(x, id_text, neg_text, temperature, groups, permutation=None):
    pos = (x @ id_text.T) / temperature
    neg = (x @ neg_text.T) / temperature
    drop = neg.shape[1] % groups
    if drop > 0:
        neg = neg[:, :-drop]
    if permutation is not None:
        neg = neg[:, permutation]
    negs = neg.reshape(pos.shape[0], groups, -1)
    scores = []
    for g in range(groups):
        full = softmax(np.concatenate([pos, negs[:, g, :]], axis=-1))
        scores.append(full[:, :pos.shape[1]].sum(axis=-1))
    return np.stack(scores, axis=-1).mean(axis=-1)


def kth_largest_per_column(matrix, k):
    """torch.kthvalue(matrix, rows - k + 1, dim=0): the k-th largest of each column."""
    return np.sort(matrix, axis=0)[matrix.shape[0] - k]


def oodd_vl(x, s_id, queue_size, batch_size, k2):
    """The official loop over unit image rows x and their s_id; returns OODD's scores (s_id - s_ood) and evictions."""
    queue = PriorityQueue()
    scores, evictions, pushed, cuts, held_per_batch = [], 0, 0, [], []
    keys = np.empty(0)
    orders = np.empty(0, np.int64)
    for start in range(0, x.shape[0], batch_size):
        batch_data = x[start:start + batch_size]
        batch_score = s_id[start:start + batch_size]
        for j in range(batch_score.shape[0]):
            queue.put(ScoreData(batch_score[j], batch_data[j], pushed))
            pushed += 1
            if queue.qsize() > queue_size:
                queue.get()
                evictions += 1
        # MlOod's rule: the q smallest s_id of (held + batch), ties by stream order; the queue must hold exactly those
        keys = np.concatenate([keys, batch_score])
        orders = np.concatenate([orders, np.arange(pushed - len(batch_score), pushed)])
        ranked = np.lexsort((orders, keys))
        keep = ranked[:queue_size]
        if len(ranked) > queue_size:  # the gap between the largest kept and the smallest evicted s_id of this batch
            cuts.append(float(keys[ranked[queue_size]] - keys[ranked[queue_size - 1]]))
        keys, orders = keys[keep], orders[keep]
        held = sorted(item.order for item in list(queue.queue))
        assert held == sorted(orders.tolist()), "the heap keeps other rows than one sort per batch (a tie)"
        held_per_batch.append(held)
        new_food = np.array([item.data for item in list(queue.queue)])
        ood_batch_score = kth_largest_per_column(new_food @ batch_data.T, k2)
        scores.append(batch_score - ood_batch_score)
    return np.concatenate(scores), evictions, held_per_batch, min(cuts)


def run(id_text, neg_text, rows, case, dtype):
    # as the head does: labels and rows normalised in float64 and rounded to float32 (both runs start from them)
    u = lambda a: unit(a.astype(np.float64)).astype(np.float32).astype(dtype)
    x, ids, negs = u(rows), u(id_text), u(neg_text)
    t = dtype(case["temperature"])
    if case["confidence"] == "mcm":
        s_id = mcm_confidence(x, ids, t)
    else:
        s_id = neglabel_confidence(x, ids, negs, t, case["groups"])
    oodd_score, evictions, held, cut = oodd_vl(x, s_id, case["capacity"], case["batch"], case["k2"])
    return -oodd_score, s_id, evictions, held, cut


def nine_digits(a):
    if a.ndim == 1:
        return ["@%.9g" % v for v in a]
    return [nine_digits(r) for r in a]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="../../ReferenceVectors/oodd_vl_stream.json")
    p.add_argument("--seed", type=int, default=37)
    p.add_argument("--rows", type=int, default=1250)
    a = p.parse_args()
    width, id_labels, negatives = 64, 10, 50
    id_text, neg_text, rows = make_stream(a.seed, a.rows, width, id_labels, negatives)
    cases = [
        dict(confidence="mcm", temperature=1.0, groups=1, k2=5, capacity=200, batch=64),
        dict(confidence="neglabel", temperature=0.01, groups=4, k2=5, capacity=200, batch=64),
    ]
    out_cases = []
    for case in cases:
        s32, c32, e32, h32, cut32 = run(id_text, neg_text, rows, case, np.float32)
        s64, c64, e64, h64, cut64 = run(id_text, neg_text, rows, case, np.float64)
        assert e32 == e64 and h32 == h64, "float32 and float64 keep different rows: pick another seed"
        confidence_error = float(np.abs(c32 - c64).max())
        assert cut64 > 5 * confidence_error, "an eviction decided by less than 5x float32's error: pick another seed"
        print(f"{case['confidence']}: evictions {e64}, s_id in [{c64.min():.4g}, {c64.max():.4g}], smallest cut gap "
              f"{cut64:.3g} (float32 s_id error {confidence_error:.3g}), max |score32 - score64| {float(np.abs(s32 - s64).max()):.3g}")
        out_cases.append(dict(case, expected_scores=s64.astype(np.float32), expected_confidence=c64.astype(np.float32),
                              evictions=int(e64), held_at_end=h64[-1], min_cut_gap=cut64,
                              max_float32_deviation=float(np.abs(s32 - s64).max())))
    doc = {
        "note": ("OODD with a vision-language s_id (zxk1212/OODD edbb1a3: MCM/eval_ood_detection.py and "
                 "NegLabel/tools/ood_test.py), transcribed in numpy by tests/Ml.Ood.Benchmarks/peer/oodd_vl.py: "
                 "s_id = the MCM confidence (max softmax of cos / T) or the grouped NegLabel confidence (last M mod G "
                 "negatives dropped, G contiguous groups in the given order, no permutation); a dictionary of the q rows "
                 "of lowest s_id (the official per-row PriorityQueue), s_ood = K2-th largest cosine to the held rows "
                 "after the batch's pushes; score = s_ood - s_id, higher = OOD. Rows are not unit norm (the head "
                 "normalises them). Feed the rows in stream order in update batches of `batch` (the last is short). "
                 "held_at_end: the stream positions the dictionary holds after the last batch. Expected values are the "
                 "float64 run's; the float32 run keeps the same rows and is within max_float32_deviation."),
        "id_labels": id_text,
        "negative_labels": neg_text,
        "rows": rows,
        "cases": out_cases,
    }
    text = json.dumps(doc, separators=(",", ":"), default=nine_digits)
    text = re.sub(r'"@([^"]*)"', r"\1", text)
    with open(a.out, "w") as f:
        f.write(text)
    print(f"wrote {a.out}: {len(text) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
