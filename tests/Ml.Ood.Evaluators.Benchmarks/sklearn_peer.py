"""Times scikit-learn on the data `dotnet run -c Release -- --dump DIR` wrote, and prints its values.

Run with Debian's interpreter: /usr/bin/python3 sklearn_peer.py DIR
"""
import sys
import time

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve


def best(f, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


d = sys.argv[1]
is_ood = np.fromfile(f"{d}/is_ood.u8", dtype=np.uint8).astype(bool)
score = np.fromfile(f"{d}/score.f32", dtype=np.float32)
fpr, tpr, _ = roc_curve(~is_ood, -score)
print(f"auroc={roc_auc_score(is_ood, score)!r} aupr_in={average_precision_score(~is_ood, -score)!r} "
      f"aupr_out={average_precision_score(is_ood, score)!r} fpr95={fpr[np.argmax(tpr >= 0.95)]!r}")
print(f"sklearn_roc_auc_score_s={best(lambda: roc_auc_score(is_ood, score)):.4f}")
print(f"sklearn_average_precision_score_s={best(lambda: average_precision_score(is_ood, score)):.4f}")
print(f"sklearn_all_four_s={best(lambda: (roc_auc_score(is_ood, score), average_precision_score(~is_ood, -score), average_precision_score(is_ood, score), roc_curve(~is_ood, -score))):.4f}")
