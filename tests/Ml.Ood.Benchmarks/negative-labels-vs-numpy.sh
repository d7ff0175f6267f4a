#!/usr/bin/env bash
# Issue 4's measurement in one run: NegLabel (tau 0.01, 1 group) over 10,000 x 512 image embeddings against
# 1,000 ID + 10,000 negative label embeddings, MlOod's pipeline (BenchmarkDotNet) vs peer.py's numpy
# matmul + softmax on the same arrays, and the agreement of the scores.
# Needs: apt-get install -y python3-numpy libopenblas0-pthread (see peer/README.md).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
peer=$repo/tests/Ml.Ood.Benchmarks/peer
/usr/bin/python3 -c "import numpy" 2>/dev/null || {
  echo "$(basename "$0"): Debian's python3 lacks numpy; as root: apt-get install -y python3-numpy libopenblas0-pthread" >&2; exit 1; }
data=${MLOOD_BENCH_NEG_DATA:-$repo/.cache/synth-neg}
work=${MLOOD_BENCH_WORK:-$repo/.cache/neglabel-bench}
export MLOOD_BENCH_NEG_DATA=$data
mkdir -p "$work"
[ -f "$data/neg_text_emb.npy" ] || /usr/bin/python3 "$peer/make_synth.py" --out "$data" --n-classes 1000 --n-super 50 --n-train 1000

echo "== numpy peer (peer.py run --scores neglabel)"
/usr/bin/python3 "$peer/peer.py" run --data "$data" --scores neglabel --dump-scores "$work/peer-scores" --out "$work/peer.json" > /dev/null
/usr/bin/python3 -c "import json; r=json.load(open('$work/peer.json'))['scores']['neglabel']; print('numpy NegLabel:', {k: v for k, v in r.items() if 'time' in k or k.endswith('_s')})"

echo "== MlOod (BenchmarkDotNet)"
dotnet run -c Release --project "$repo/tests/Ml.Ood.Benchmarks" -- --filter '*NegativeLabelHead*' --artifacts "$work/bdn" | grep -E '^\|' || true

echo "== scores vs the peer"
dotnet "$repo/tests/Ml.Ood.Benchmarks/bin/Release/net10.0/Ml.Ood.Benchmarks.dll" score-neglabel "$work/mlood-scores/neglabel.npy"
/usr/bin/python3 "$peer/peer.py" compare "$work/peer-scores" "$work/mlood-scores" --atol 1e-5 --rtol 0 \
  | /usr/bin/python3 -c "import json,sys; r=json.load(sys.stdin)['neglabel']; print(f\"max |peer - MlOod|: {r['max_abs_diff']:.2e}, within 1e-5: {r['ok']}\")"
