#!/usr/bin/env bash
# Serving load benchmark (issue 14): throughput and p50/p99 latency of samples/Service on the quick start's model at
# 1, 8 and 64 concurrent clients, dynamic batching vs one pooled engine per request (with the heads' default parallelism,
# and with 1). Each client sends one 28 x 28 PNG per request and waits for the answer (closed loop). Not a unit test;
# run it on a quiet machine:
#   bash tests/Ml.Ood.Benchmarks/serving-load.sh [SECONDS per point, default 10] [CLIENTS, default 1,8,64]
# ROUNDS (default 3): each arm runs once per round, the arms interleaved, so that the machine's drift falls on all of them
# alike; the summary is each arm's median over the rounds and the ratios of those medians.
# STARTUP_WARMUP (default 15 s, at the largest client count, after each start: tiered compilation takes that long to
# settle under load) and WARMUP (default 3 s before each point).
# LOAD: wrk (default; a C load generator that leaves more of the shared cores to the service, as clients on other
# machines would; installed with apt-get when missing) or dotnet (the .NET client, `Ml.Ood.Benchmarks serve-load`).
# SERVICE_CPUS and LOAD_CPUS (taskset CPU lists, e.g. 0,1 and 2-7): pin the service and the load generator to cores of
# their own, as clients on other machines would be; the service then sees only its cores (its default parallelism and
# batch workers follow). Unset (default): both share every core.
# Extra service options go in SERVICE_ARGS (e.g. SERVICE_ARGS="--max-delay-ms 1"); GPU: build with MLOOD_GPU=1 and
# SERVICE_ARGS="--gpu 0". The model is fitted and saved first when mlood-quickstart/mnist-ood.zip is missing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
seconds="${1:-10}"
clients="${2:-1,8,64}"
rounds="${ROUNDS:-3}"
startup_warmup="${STARTUP_WARMUP:-15}"
warmup="${WARMUP:-3}"
load="${LOAD:-wrk}"
port="${PORT:-5087}"
service_pin=()
load_pin=()
[[ -n "${SERVICE_CPUS:-}" ]] && service_pin=(taskset -c "$SERVICE_CPUS")
[[ -n "${LOAD_CPUS:-}" ]] && load_pin=(taskset -c "$LOAD_CPUS")
model="mlood-quickstart/mnist-ood.zip"
flavour=()
bin="samples/Service/bin/Release/net10.0"
if [[ "${MLOOD_GPU:-}" == 1 ]]; then
    flavour=(-p:MlOodGpu=true)
    bin="artifacts/gpu/bin/Service/Release/net10.0"
fi
bench="tests/Ml.Ood.Benchmarks/bin/Release/net10.0/Ml.Ood.Benchmarks.dll"

if [[ "$load" == wrk ]] && ! command -v wrk >/dev/null; then
    apt-get install -y wrk >/dev/null 2>&1 || { echo "wrk is missing and apt-get could not install it; run with LOAD=dotnet" >&2; exit 1; }
fi
dotnet build -c Release "${flavour[@]}" samples/Service >/dev/null
dotnet build -c Release tests/Ml.Ood.Benchmarks >/dev/null
if [[ ! -f "$model" ]]; then
    dotnet run -c Release --project samples/QuickStart -- --save-model "$model"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet "$bench" write-pngs "$work/pngs" >/dev/null
export MLOOD_PNGS="$work/pngs"
url="http://127.0.0.1:$port"
ticks="$(getconf CLK_TCK)"
largest="${clients##*,}"

# One point: prints "REQ_PER_S P50_MS P99_MS ERRORS".
measure() {
    local count="$1" secs="$2"
    if [[ "$load" == wrk ]]; then
        "${load_pin[@]}" wrk -t1 -c"$count" -d"${secs}s" --timeout 10s --latency -s tests/Ml.Ood.Benchmarks/serving-load.lua "$url" | awk '
            function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; return v * 1000 }
            $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
            /Non-2xx/ { errors += $NF } /Socket errors/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
            END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, errors }'
    else
        MLOOD_LOAD_WARMUP=0 "${load_pin[@]}" dotnet "$bench" serve-load "$url" x "$secs" "$count" | awk -F'|' '{ printf "%.0f %.2f %.2f %d\n", $4, $5, $6, $7 }'
    fi
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

results="$work/results"
# Each arm: a label, then the service's mode and options. Engine-p1 is one engine per request with each head call on one
# thread (--parallelism 1, as OodExecutionOptions.Parallelism advises for a service whose requests are concurrent already).
arms=("Batching:--mode Batching" "Engine:--mode Engine" "Engine-p1:--mode Engine --parallelism 1")
echo "| round | mode      | clients |  req/s | p50 ms | p99 ms | errors | service CPU ms/req |"
echo "|-------|-----------|---------|--------|--------|--------|--------|--------------------|"
for round in $(seq 1 "$rounds"); do
    for arm in "${arms[@]}"; do
        mode="${arm%%:*}"
        # shellcheck disable=SC2086
        "${service_pin[@]}" dotnet "$bin/Service.dll" --model "$model" ${arm#*:} --urls "$url" \
            --Logging:LogLevel:Default=Warning ${SERVICE_ARGS:-} >"/tmp/mlood-serving-$mode.log" 2>&1 &
        service=$!
        for _ in $(seq 1 120); do
            curl -sf "$url/health" >/dev/null 2>&1 && break
            kill -0 "$service" 2>/dev/null || { cat "/tmp/mlood-serving-$mode.log"; exit 1; }
            sleep 0.5
        done
        measure "$largest" "$startup_warmup" >/dev/null
        for count in ${clients//,/ }; do
            measure "$count" "$warmup" >/dev/null
            before="$(cpu_ticks "$service")"
            read -r rps p50 p99 errors < <(measure "$count" "$seconds")
            after="$(cpu_ticks "$service")"
            cpu="$(awk -v t=$((after - before)) -v hz="$ticks" -v r="$rps" -v s="$seconds" 'BEGIN { printf "%.3f", (r > 0 ? t * 1000 / hz / (r * s) : 0) }')"
            echo "$mode $count $rps $p50 $p99 $errors $cpu" >>"$results"
            printf '| %5s | %-9s | %7s | %6s | %6s | %6s | %6s | %18s |\n' "$round" "$mode" "$count" "$rps" "$p50" "$p99" "$errors" "$cpu"
        done
        kill "$service"
        wait "$service" 2>/dev/null || true
    done
done

echo
echo "Median over $rounds round(s), $seconds s per point, load generator: $load${SERVICE_CPUS:+, service on CPUs $SERVICE_CPUS}${LOAD_CPUS:+, load on CPUs $LOAD_CPUS}"
echo "| mode      | clients |  req/s | p50 ms | p99 ms | errors | service CPU ms/req |"
echo "|-----------|---------|--------|--------|--------|--------|--------------------|"
summary="$work/summary"
for arm in "${arms[@]}"; do
    mode="${arm%%:*}"
    for count in ${clients//,/ }; do
        median() { awk -v m="$mode" -v c="$count" -v f="$1" '$1 == m && $2 == c { print $f }' "$results" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
        errors="$(awk -v m="$mode" -v c="$count" '$1 == m && $2 == c { e += $6 } END { print e + 0 }' "$results")"
        line="$mode $count $(median 3) $(median 4) $(median 5) $errors $(median 7)"
        echo "$line" >>"$summary"
        read -r _ _ rps p50 p99 _ cpu <<<"$line"
        printf '| %-9s | %7s | %6.0f | %6.2f | %6.2f | %6s | %18.3f |\n' "$mode" "$count" "$rps" "$p50" "$p99" "$errors" "$cpu"
    done
done
echo
for count in ${clients//,/ }; do
    awk -v c="$count" '$2 == c { rps[$1] = $3; p99[$1] = $5 }
        END { printf "%s clients: batching / engine %.2fx throughput, p99 %.2fx; batching / engine-p1 %.2fx throughput, p99 %.2fx\n",
              c, rps["Batching"] / rps["Engine"], p99["Batching"] / p99["Engine"], rps["Batching"] / rps["Engine-p1"], p99["Batching"] / p99["Engine-p1"] }' "$summary"
done
