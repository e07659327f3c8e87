#!/usr/bin/env bash
# Counts and times the per-op tests (the ctest tests of the binaries built from tests/ops/ and
# tests/gpu_ops/): runs them once with -j2 under HETSCHED_CHECK_LOG, then prints the wall and CPU time,
# the number of ctest tests, and a table of checked cases (executor runs compared with the float64
# reference) and partial ranges per op and executor.
# Usage: scripts/count_op_cases.sh [build dir (build)]   (the test binaries must be built)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-build}"
LOG="$(mktemp)"
trap 'rm -f "$LOG" "$LOG.ctest" "$LOG.time"' EXIT
# ctest's numbers of the tests whose binary comes from tests/ops or tests/gpu_ops.
ids=$(ctest --test-dir "$BUILD" --show-only=json-v1 | python3 -c '
import json, os, sys, glob
root = sys.argv[1]
names = {os.path.basename(p)[:-4] for d in ("ops", "gpu_ops") for p in glob.glob(f"{root}/tests/{d}/*_test.cpp")}
tests = json.load(sys.stdin)["tests"]
print(",".join(str(i + 1) for i, t in enumerate(tests) if os.path.basename(t.get("command", [""])[0]) in names))
' "$ROOT")
count=$(echo "$ids" | tr ',' '\n' | grep -c .)
# Wall time, and CPU time (user + system of ctest and every test: less sensitive to a busy machine).
HETSCHED_CHECK_LOG="$LOG" /usr/bin/time -f '%e %U %S' -o "$LOG.time" \
  ctest --test-dir "$BUILD" -I "0,0,0,$ids" -j2 --output-on-failure > "$LOG.ctest" 2>&1 || {
  tail -n 40 "$LOG.ctest"; echo "count_op_cases: ctest failed" >&2; }
grep -E "tests passed|tests failed" "$LOG.ctest" || true
read -r wall user sys < "$LOG.time"
printf 'per-op ctest tests: %s, ctest -j2 wall %s s, CPU %.1f s\n' "$count" "$wall" "$(echo "$user + $sys" | bc)"
awk -F'\t' '{ k = $1 "\t" $2; n[k]++; r[k] += $3 } END { for (k in n) printf "%s\t%d\t%d\n", k, n[k], r[k] }' "$LOG" |
  sort | awk -F'\t' 'BEGIN { printf "%-20s %-10s %7s %8s\n", "op", "executor", "cases", "ranges" }
  { printf "%-20s %-10s %7d %8d\n", $1, $2, $3, $4; c[$2] += $3; rr[$2] += $4 }
  END { for (d in c) printf "%-20s %-10s %7d %8d\n", "TOTAL", d, c[d], rr[d] }'
