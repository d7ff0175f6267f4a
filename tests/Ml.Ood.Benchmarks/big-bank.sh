#!/usr/bin/env bash
# Issue 15, item 1: a KNN bank over ONNX's 2 GB limit on one machine. Fits k = 50 on ROWS x DIMS random rows (default
# 1,100,000 x 512 = 2.25 GB), saves with ml.Model.Save, then in a fresh process loads with ml.Ood().Load and scores
# QUERIES random queries; prints each phase's time and each process's peak RSS against the bank's size. A 1,000-row
# bank scored the same way gives the baseline a scoring process needs without a bank.
#   ROWS=1000000 QUERIES=10000 bash tests/Ml.Ood.Benchmarks/big-bank.sh     # issue 15's 2.05 GB bank
#   EXTERNAL_FROM=1000000 ROWS=20000 QUERIES=1000 bash tests/Ml.Ood.Benchmarks/big-bank.sh   # a smoke run of the large form
# Needs about 2.5 banks of memory and 2 banks of disk under MLOOD_BENCH_WORK (the .zip and the loaded bank's file).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
rows=${ROWS:-1100000}
dims=${DIMS:-512}
queries=${QUERIES:-10000}
work=${MLOOD_BENCH_WORK:-$repo/.cache/big-bank}
mkdir -p "$work"
dotnet build -c Release "$repo/tests/Ml.Ood.Benchmarks" > "$work/build.log"
dll=$repo/tests/Ml.Ood.Benchmarks/bin/Release/net10.0/Ml.Ood.Benchmarks.dll
peak() { /usr/bin/time -f '%M' -o "$work/rss.txt" dotnet "$dll" "$@"; echo "process peak RSS (time -f %M): $(( $(cat "$work/rss.txt") / 1000 )) MB"; }

echo "== fit and save (${rows} x ${dims})"
peak big-bank-fit "$work/big.zip" "$rows" "$dims" ${EXTERNAL_FROM:-}
echo "== ml.Ood().Load and score ${queries} queries, fresh process"
peak big-bank-score "$work/big.zip" "$queries"
full=$(cat "$work/rss.txt")
echo "== baseline: a 1,000-row bank, same queries"
dotnet "$dll" big-bank-fit "$work/small.zip" 1000 "$dims" > /dev/null
peak big-bank-score "$work/small.zip" "$queries"
small=$(cat "$work/rss.txt")
bank_mb=$(( rows * dims * 4 / 1000000 ))
echo "scoring: extra peak RSS over the baseline / bank size = $(( (full - small) / 1000 )) MB / ${bank_mb} MB = $(/usr/bin/python3 -c "print(round(($full - $small) / 1000 / $bank_mb, 2))")"
rm -f "$work/big.zip" "$work/small.zip"
