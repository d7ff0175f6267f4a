#!/usr/bin/env bash
# Issue 13's measurement in one run: OODD (K1 = K2 = 100, q = 2,048, B = 512) over a stream of ROWS x 512 against a
# BANK-row bank (100,000 and 50,000 by default, ImageNet's settings), MlOod's pipeline (BenchmarkDotNet) vs
# peer/oodd.py's numpy OODD on the same arrays, rows per second both sides, and the agreement of the scores.
# Smoke run: ROWS=4000 BANK=2000 tests/Ml.Ood.Benchmarks/oodd-vs-numpy.sh
# Needs: apt-get install -y python3-numpy libopenblas0-pthread (see peer/README.md).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
peer=$repo/tests/Ml.Ood.Benchmarks/peer
/usr/bin/python3 -c "import numpy" 2>/dev/null || {
  echo "$(basename "$0"): Debian's python3 lacks numpy; as root: apt-get install -y python3-numpy libopenblas0-pthread" >&2; exit 1; }
rows=${ROWS:-100000}
bank=${BANK:-50000}
data=${MLOOD_BENCH_OODD_DATA:-$repo/.cache/synth-oodd-$rows-$bank}
work=${MLOOD_BENCH_WORK:-$repo/.cache/oodd-bench}
export MLOOD_BENCH_OODD_DATA=$data
mkdir -p "$work"

echo "== numpy peer against oodd.json"
/usr/bin/python3 "$peer/oodd.py" check
[ -f "$data/oodd_stream.npy" ] || /usr/bin/python3 "$peer/oodd.py" make --out "$data" --rows "$rows" --bank "$bank"

echo "== numpy OODD (oodd.py bench, best of 3)"
/usr/bin/python3 "$peer/oodd.py" bench --data "$data" --dump "$work/peer.npy" | tee "$work/peer.json"

echo "== MlOod (BenchmarkDotNet)"
dotnet run -c Release --project "$repo/tests/Ml.Ood.Benchmarks" -- --filter '*OoddBenchmarks*' --artifacts "$work/bdn" | grep -E '^\|' || true
/usr/bin/python3 - "$work/bdn/results/Ml.Ood.Benchmarks.OoddBenchmarks-report.csv" "$work/peer.json" "$rows" <<'PY'
import csv, json, sys
row = next(csv.DictReader(open(sys.argv[1])))
mean = row["Mean"].replace(",", "")
value, unit = float(mean.split()[0]), mean.split()[1]
seconds = value * {"s": 1, "ms": 1e-3, "us": 1e-6, "μs": 1e-6}[unit]
peer = json.load(open(sys.argv[2]))["seconds"]
rows = int(sys.argv[3])
print(f"MlOod: {rows / seconds:,.0f} rows/s ({seconds:.2f} s); numpy: {rows / peer:,.0f} rows/s ({peer:.2f} s); MlOod time / numpy time = {seconds / peer:.2f}")
PY

echo "== scores vs the peer"
dotnet "$repo/tests/Ml.Ood.Benchmarks/bin/Release/net10.0/Ml.Ood.Benchmarks.dll" score-oodd "$work/mlood.npy"
/usr/bin/python3 -c "
import numpy as np
a, b = np.load('$work/mlood.npy'), np.load('$work/peer.npy')
print(f'max |peer - MlOod|: {np.nanmax(np.abs(a - b)):.2e}, NaN rows equal: {bool((np.isnan(a) == np.isnan(b)).all())}')"
