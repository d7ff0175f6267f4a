#!/usr/bin/env bash
# GPU check (issue 14), for a machine with an NVIDIA GPU, CUDA and cuDNN: builds the GPU flavour (Microsoft.ML.OnnxRuntime.Gpu
# 1.31.0, -p:MlOodGpu=true), runs the quick start on the CPU and on GPU 0 with --time-heads, and prints each head's time
# side by side, then the service's GPU-flavour test. One command:  bash scripts/gpu-check.sh [GPU id, default 0]
# Needs the quick start's data (samples/data/fetch.sh, or MLOOD_DATA). Prints the device line each run logged: a GPU
# run that fell back to the CPU says so there ("GPU 0 is not available ...").
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
gpu="${1:-0}"
work="$(mktemp -d "${TMPDIR:-/tmp}/mlood-gpu-check.XXXXXX")"

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "gpu-check: nvidia-smi not found" >&2

echo "== building the CPU and GPU flavours"
dotnet build -c Release samples/QuickStart >/dev/null
dotnet build -c Release -p:MlOodGpu=true samples/QuickStart >/dev/null

echo "== quick start on the CPU"
dotnet samples/QuickStart/bin/Release/net10.0/QuickStart.dll --time-heads --out "$work/cpu" | tee "$work/cpu.txt"
echo "== quick start on GPU $gpu (GPU flavour)"
dotnet artifacts/gpu/bin/QuickStart/Release/net10.0/QuickStart.dll --time-heads --gpu "$gpu" --out "$work/gpu" | tee "$work/gpu.txt"

echo
echo "== device lines"
grep -h -E "CUDA device|GPU $gpu is not available" "$work/gpu.txt" || echo "(none)"
echo
echo "== per-head time (ms, best of 5 passes over the scored test images)"
printf '%-20s %12s %12s %8s\n' head cpu gpu cpu/gpu
join <(awk '/^  time /{print $2, $3}' "$work/cpu.txt" | sort) <(awk '/^  time /{print $2, $3}' "$work/gpu.txt" | sort) \
    | awk '{ printf "%-20s %12.2f %12.2f %8.2f\n", $1, $2, $3, ($3 > 0 ? $2 / $3 : 0) }'
echo
echo "== whole run (the quick start's last timestamp)"
echo "cpu: $(grep -o '^\[ *[0-9.]* s\]' "$work/cpu.txt" | tail -1)   gpu: $(grep -o '^\[ *[0-9.]* s\]' "$work/gpu.txt" | tail -1)"
echo "== the same metrics on both devices (AUROC table, first lines)"
diff <(grep -E '^[A-Za-z]+Score +\|' "$work/cpu.txt") <(grep -E '^[A-Za-z]+Score +\|' "$work/gpu.txt") && echo "identical to 4 decimals" || true

echo "== the service's GPU-flavour test, on GPU 0 (CUDA present: it scores on cuda:0 within 1e-3 of the CPU)"
dotnet test tests/Ml.Ood.Service.Tests -c Release -p:MlOodGpu=true --filter TestCategory=GpuFlavour
rm -rf "$work"
