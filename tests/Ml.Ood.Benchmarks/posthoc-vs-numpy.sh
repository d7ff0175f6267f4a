#!/usr/bin/env bash
# Issue 12's speed check, in one run so that ratios compare like with like: each head on penultimate features and a
# classifier layer through an ML.NET pipeline (BenchmarkDotNet, FeatureHeadBenchmarks) against peer/posthoc.py's numpy
# implementation of the same formula on the same arrays: 100,000 rows of 512-d features, C = 1,000 classes, heads
# fitted on 20,000 training rows (fits excluded on both sides). Bar: MlOod / numpy <= 0.5 for every head.
# HEADS=rmds,vim runs a subset; BLOCK=1024 sets MlOod's rows per ONNX Runtime call.
# Needs: apt-get install -y python3-numpy libopenblas0-pthread (see peer/README.md).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
peer=$repo/tests/Ml.Ood.Benchmarks/peer
/usr/bin/python3 -c "import numpy" 2>/dev/null || {
  echo "$(basename "$0"): Debian's python3 lacks numpy; as root: apt-get install -y python3-numpy libopenblas0-pthread" >&2; exit 1; }
data=${MLOOD_POSTHOC_DATA:-$repo/.cache/posthoc100k}
work=${MLOOD_BENCH_WORK:-$repo/.cache/posthoc-bench}
export MLOOD_POSTHOC_DATA=$data
mkdir -p "$work"
[ -f "$data/train_labels.npy" ] || /usr/bin/python3 "$peer/posthoc.py" make --out "$data"

echo "== numpy (posthoc.py bench, 2 threads, best of 3)"
/usr/bin/python3 "$peer/posthoc.py" --threads 2 bench --data "$data" --repeat 3 ${HEADS:+--heads "$HEADS"} > "$work/numpy.json"

echo "== MlOod (BenchmarkDotNet)"
filter='*FeatureHead*'
MLOOD_POSTHOC_HEADS=${HEADS:-} MLOOD_POSTHOC_BLOCK=${BLOCK:-} dotnet run -c Release --project "$repo/tests/Ml.Ood.Benchmarks" -- --filter "$filter" \
  --artifacts "$work/bdn" | grep -E '^\|' || true

/usr/bin/python3 - "$work/numpy.json" "$work/bdn/results/Ml.Ood.Benchmarks.FeatureHeadBenchmarks-report.csv" <<'PY'
import csv, json, sys
numpy = json.load(open(sys.argv[1]))["seconds"]
unit = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "μs": 1e-6, "ns": 1e-9}
rows = {}
for r in csv.DictReader(open(sys.argv[2])):
    value, u = r["Mean"].replace(",", "").split()
    rows[r["Head"]] = float(value) * unit[u]
print("| head | MlOod pipeline | numpy | ratio |")
print("|---|---|---|---|")
worst = 0
for head, mlood in rows.items():
    ratio = mlood / numpy[head]
    worst = max(worst, ratio)
    print(f"| {head} | {mlood:.3f} s | {numpy[head]:.3f} s | {ratio:.2f} |")
print(f"worst ratio {worst:.2f} (bar 0.5)")
PY
