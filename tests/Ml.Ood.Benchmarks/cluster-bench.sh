#!/usr/bin/env bash
# Issue 15's cluster measurement, in one run: a seeded Gaussian bank of ROWS x DIMS (default 1,000,000 x 512) sharded
# over 1, 2 and 4 silo processes on this machine (samples/Cluster), queries per second from a client process and the
# resident memory of each silo (VmRSS and peak VmHWM from /proc), against the single-process KNN head in the same run.
#   tests/Ml.Ood.Benchmarks/cluster-bench.sh [ROWS] [DIMS] [QUERIES] [SINGLE]
# SINGLE=0 skips the single-process arm (a 1,000,000 x 512 bank is 2.05 GB: the single head needs the KNN head without
# the 2 GB cap). Smoke: tests/Ml.Ood.Benchmarks/cluster-bench.sh 20000 64 1000
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}; dims=${2:-512}; queries=${3:-10000}; single=${4:-1}; silo_counts=${SILOS:-"1 2 4"}
dotnet build "$repo/samples/Cluster" -c Release -v quiet -nologo | grep -E "error|Warn" || true
dll=$repo/samples/Cluster/bin/Release/net10.0/Cluster.dll
store=$(mktemp -d "${TMPDIR:-/tmp}/mlood-cluster-bench.XXXXXX")
pids=()
stop_silos() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap 'stop_silos; rm -rf "$store"' EXIT
# A shard file holds its rows inline (at most 2e9 bytes): a 1,000,000 x 512 bank needs 2 shards even on one silo.
per_shard=$((2000000000 / (dims * 4))); min_shards=$(((rows + per_shard - 1) / per_shard))
common=(--rows "$rows" --dims "$dims" --queries "$queries" --store "$store")

if [ "$single" = 1 ]; then
  dotnet "$dll" bench --single "${common[@]}" | grep '^bench'
fi
for n in $silo_counts; do
  for ((i = 0; i < n; i++)); do
    log=$store/silo-$i.log
    dotnet "$dll" silo "$i" --store "$store" > "$log" 2>&1 &
    pids+=($!)
    until grep -q "silo $i up" "$log"; do kill -0 "${pids[-1]}" || { cat "$log"; exit 1; }; sleep 0.5; done
  done
  shards=$((n > min_shards ? n : min_shards))
  dotnet "$dll" bench --shards "$shards" --silos "$n" "${common[@]}" | grep '^bench'
  for ((i = 0; i < n; i++)); do
    awk -v s="$i" '/^VmRSS|^VmHWM/ { v[$1] = $2 } END { printf "  silo %d: RSS %.0f MB, peak %.0f MB\n", s, v["VmRSS:"] / 1024, v["VmHWM:"] / 1024 }' \
      "/proc/${pids[$i]}/status"
  done
  stop_silos
  rm -f "$store"/*.onnx
done
