#!/usr/bin/env bash
# Issue 3's measurement, all in one run so that ratios compare like with like:
#   faiss IndexFlatL2 (peer.py, 1 and 2 threads) vs MlOod's KNN head in an ML.NET pipeline vs a raw ONNX
#   Runtime session on the same graph; score agreement with the peer; peak memory of a scoring process.
# Needs: apt-get install -y python3-numpy python3-faiss libopenblas0-pthread (see peer/README.md).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
peer=$repo/tests/Ml.Ood.Benchmarks/peer
/usr/bin/python3 -c "import numpy, faiss" 2>/dev/null || {
  echo "$(basename "$0"): Debian's python3 lacks numpy, faiss; as root: apt-get install -y python3-numpy python3-faiss libopenblas0-pthread" >&2; exit 1; }
data=${MLOOD_BENCH_DATA:-$repo/.cache/synth50k}
work=${MLOOD_BENCH_WORK:-$repo/.cache/knn-bench}
export MLOOD_BENCH_DATA=$data
mkdir -p "$work"
[ -f "$data/train_emb.npy" ] || /usr/bin/python3 "$peer/make_synth.py" --out "$data"

echo "== faiss (peer.py bench-knn, best of 3)"
/usr/bin/python3 "$peer/peer.py" bench-knn --train "$data/train_emb.npy" --test "$data/test_emb.npy" --k 50 \
  --backends faiss --threads-list 1,2 --repeat 3 > "$work/faiss.json"
/usr/bin/python3 - "$work/faiss.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    print(f"faiss IndexFlatL2, {r['threads']} thread(s): {r['runs']['faiss']['search_s']:.2f} s")
PY

echo "== MlOod (BenchmarkDotNet)"
dotnet run -c Release --project "$repo/tests/Ml.Ood.Benchmarks" -- --filter '*KnnHead*' --artifacts "$work/bdn" \
  | grep -E '^\|' || true

echo "== scores vs the peer, and peak memory of a scoring process"
bench() { dotnet "$repo/tests/Ml.Ood.Benchmarks/bin/Release/net10.0/Ml.Ood.Benchmarks.dll" "$@"; }
bench fit-knn "$work/knn50k.zip"
bench fit-knn "$work/knn1k.zip" 1000
rss() { /usr/bin/time -f '%M' -o "$work/rss.txt" "$@" > /dev/null; cat "$work/rss.txt"; }
full=$(rss dotnet "$repo/tests/Ml.Ood.Benchmarks/bin/Release/net10.0/Ml.Ood.Benchmarks.dll" score-knn "$work/knn50k.zip" "$work/mlood-scores/knn_faiss.npy")
small=$(rss dotnet "$repo/tests/Ml.Ood.Benchmarks/bin/Release/net10.0/Ml.Ood.Benchmarks.dll" score-knn "$work/knn1k.zip")
bank_mb=$(( 50000 * 512 * 4 / 1000000 ))
echo "peak RSS scoring with the 50,000-row bank: $((full / 1000)) MB; with a 1,000-row bank (baseline): $((small / 1000)) MB; bank: ${bank_mb} MB"
echo "extra memory / bank size: $(/usr/bin/python3 -c "print(round(($full - $small) / 1000 / $bank_mb, 2))")"
/usr/bin/python3 "$peer/peer.py" run --data "$data" --scores knn --knn-backend faiss --dump-scores "$work/peer-scores" --out "$work/peer.json" > /dev/null
# peer.py compare pairs files by name: MlOod's scores were written as knn_faiss.npy to meet the peer's.
/usr/bin/python3 "$peer/peer.py" compare "$work/peer-scores" "$work/mlood-scores" --is-ood "$data/test_is_ood.npy" --atol 1e-4 --rtol 0 \
  | /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin)['knn_faiss']; print(f\"max |peer - MlOod| (squared distances): {r['max_abs_diff']:.2e}, within 1e-4: {r['ok']}\")"
