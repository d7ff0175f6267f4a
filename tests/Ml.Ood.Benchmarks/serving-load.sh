#!/usr/bin/env bash
# Serving load benchmark (issue 14): throughput and p50/p99 latency of samples/Service on the quick start's model at
# 1, 8 and 64 concurrent clients, dynamic batching vs one pooled engine per request (with the heads' default parallelism,
# and with 1). Each client sends one 28 x 28 PNG
# per request and waits for the answer (closed loop). Not a unit test; run it on a quiet machine:
#   bash tests/Ml.Ood.Benchmarks/serving-load.sh [SECONDS per point, default 10] [CLIENTS, default 1,8,64]
# Extra service options go in SERVICE_ARGS (e.g. SERVICE_ARGS="--max-delay-ms 1"); GPU: build with MLOOD_GPU=1 and
# SERVICE_ARGS="--gpu 0". The model is fitted and saved first when mlood-quickstart/mnist-ood.zip is missing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
seconds="${1:-10}"
clients="${2:-1,8,64}"
port="${PORT:-5087}"
model="mlood-quickstart/mnist-ood.zip"
flavour=()
bin="samples/Service/bin/Release/net10.0"
if [[ "${MLOOD_GPU:-}" == 1 ]]; then
    flavour=(-p:MlOodGpu=true)
    bin="artifacts/gpu/bin/Service/Release/net10.0"
fi

dotnet build -c Release "${flavour[@]}" samples/Service >/dev/null
dotnet build -c Release tests/Ml.Ood.Benchmarks >/dev/null
if [[ ! -f "$model" ]]; then
    dotnet run -c Release --project samples/QuickStart -- --save-model "$model"
fi

echo "| mode      | clients |  req/s     | p50 ms   | p99 ms   | errors |"
echo "|-----------|---------|------------|----------|----------|--------|"
# Each arm: a label, then the service's mode and options. Engine-p1 is one engine per request with each head call on one
# thread (--parallelism 1, as OodExecutionOptions.Parallelism advises for a service whose requests are concurrent already).
for arm in "Batching:--mode Batching" "Engine:--mode Engine" "Engine-p1:--mode Engine --parallelism 1"; do
    mode="${arm%%:*}"
    # shellcheck disable=SC2086
    dotnet "$bin/Service.dll" --model "$model" ${arm#*:} --urls "http://127.0.0.1:$port" \
        --Logging:LogLevel:Default=Warning ${SERVICE_ARGS:-} >"/tmp/mlood-serving-$mode.log" 2>&1 &
    service=$!
    for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
        kill -0 "$service" 2>/dev/null || { cat "/tmp/mlood-serving-$mode.log"; exit 1; }
        sleep 0.5
    done
    dotnet tests/Ml.Ood.Benchmarks/bin/Release/net10.0/Ml.Ood.Benchmarks.dll serve-load "http://127.0.0.1:$port" "$mode" "$seconds" "$clients" \
        || { kill "$service"; exit 1; }
    kill "$service"
    wait "$service" 2>/dev/null || true
done
