#!/usr/bin/env bash
# The long runs of the production-safety checks (issue 10): >= 2,000 damaged models, the full concurrency matrix,
# and the temporary folder after a normal exit and after kill -9. Prints each check's counts; exits non-zero on failure.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build "$repo/tests/Ml.Ood.Robustness" -c Release -v quiet -nologo >/dev/null
tool="$repo/tests/Ml.Ood.Robustness/bin/Release/net10.0/Ml.Ood.Robustness.dll"
dotnet "$tool" save "$work/model.zip"
for seed in 7 8; do dotnet "$tool" fuzz "$work/model.zip" "$seed" "${MUTANTS:-1000}"; done
dotnet "$tool" concurrency "$work/model.zip" 20 8 2000 "${ENGINES_PER_THREAD:-200}"
mkdir "$work/tmp"
TMPDIR="$work/tmp" dotnet "$tool" lifecycle "$work/life"
TMPDIR="$work/tmp" dotnet "$tool" hold "$work/model.zip" > "$work/hold.out" &
holder=$!
until grep -q READY "$work/hold.out" 2>/dev/null; do sleep 0.2; done
kill -9 "$holder"; wait "$holder" 2>/dev/null || true
echo "after kill -9: $(ls -A "$work/tmp" | grep -c '^mlood-') private folder(s) left"
TMPDIR="$work/tmp" dotnet "$tool" sweep
left=$(ls -A "$work/tmp" | grep -v -e '^dotnet-diagnostic-' -e '^clr-debug-pipe-' -e '^\.ses$' || true)
echo "after one more process, TMPDIR holds: ${left:-nothing}"
[ -z "$left" ]
