#!/usr/bin/env bash
# How `hetsched run --policy gpu` waits for the GPU, A/B on the GPU machine in one device call:
# HETSCHED_GPU_WAIT=block (vkWaitForFences at once) against spin (poll the fence up to twice the last
# run's time, then block; the default on a real GPU since session 18). Each model's tuning is
# completed first; then ROUNDS rounds, each mode in its own `hetsched run` process per round (block
# first in odd rounds, spin first in even ones), ITER runs after WARMUP warm-ups; per start the
# median, mean, p10 and p90 and the share of runs over 1.5x the start's p10 (the slow mode).
#
# On the development machine: bash bench/host_wait_device.sh pack   (MODELS=a,b; timing twins)
# On the GPU machine, carry [".device", ".xfer-hostwait"]:
#   bash .device/enter.sh bash bench/host_wait_device.sh
# Output: $OUT/host_wait_<TAG>/starts.csv (one row per start), summary.md, clocks.csv (nvidia-smi)
# and run.log (tuning and every start's stderr): four files, as the device tool returns 8 at most.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/device_common.sh"  # ROOT, and runs from there
MODELS="${MODELS:-selfie_segmentation_landscape,selfie_segmentation,face_detection_short_range,mobilenet_v1,hand_landmark_full}"
if [[ ${1:-} == pack ]]; then
  set -e
  device_pack_targets hetsched_cli -- hetsched >/dev/null
  device_xfer_twins .xfer-hostwait "$MODELS"
  du -shL .device .xfer-hostwait | sed 's/^/host_wait_device: /'
  exit 0
fi

OUT="${OUT:-/tmp/out}" TAG="${TAG:-h100}" PY="${PY:-python3}" BIN="${BIN:-.device/bin/hetsched}"
DIR="$OUT/host_wait_$TAG"
mkdir -p "$DIR" /tmp/hs_hostwait_cache
export HETSCHED_CACHE_DIR=/tmp/hs_hostwait_cache
MODELS_DIR=/tmp/hs_hostwait_models
device_unpack_twins .xfer-hostwait "$MODELS_DIR" >/dev/null
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw --format=csv -lms 250 > "$DIR/clocks.csv" 2>&1 &
clocks=$!
echo "model,round,mode,median_ms,mean_ms,p10_ms,p90_ms,slow_share" > "$DIR/starts.csv"
IFS=, read -ra models <<< "$MODELS"
for m in "${models[@]}"; do
  f="$MODELS_DIR/$m.tflite"
  "$PY" -c 'import sys; sys.path.insert(0, "bench"); import bench_common as b
b.complete_tuning(sys.argv[1], sys.argv[2], timeout=120)' "$BIN" "$f" >> "$DIR/run.log" 2>&1
  for round in $(seq 1 "${ROUNDS:-3}"); do
    modes="block spin"; (( round % 2 == 0 )) && modes="spin block"
    for mode in $modes; do
      HETSCHED_GPU_WAIT=$mode timeout 120 "$BIN" run "$f" --policy gpu --warmup "${WARMUP:-50}" \
        --iterations "${ITER:-300}" --seed 1 --json 2>> "$DIR/run.log" |
        "$PY" -c '
import json, statistics, sys
m, r, mode = sys.argv[1:4]
j = json.load(sys.stdin)
l = sorted(j["latencies_ms"])
p10, p90 = l[len(l) // 10], l[9 * len(l) // 10]
slow = sum(x > 1.5 * p10 for x in l) / len(l)
print(f"{m},{r},{mode},{statistics.median(l):.4f},{statistics.fmean(l):.4f},{p10:.4f},{p90:.4f},{slow:.3f}")' \
        "$m" "$round" "$mode" >> "$DIR/starts.csv"
    done
  done
  grep "^$m," "$DIR/starts.csv"
done
kill "$clocks" 2>/dev/null
"$PY" - "$DIR" <<'PY' | tee "$DIR/summary.md"
import csv, math, statistics, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/starts.csv")))
print("| model | block median ms (starts) | spin median ms (starts) | block mean | spin mean | block slow share | spin slow share | spin/block (median of medians) |")
print("|---|---|---|---|---|---|---|---|")
ratios = []
for m in dict.fromkeys(r["model"] for r in rows):
    by = {mode: [r for r in rows if r["model"] == m and r["mode"] == mode] for mode in ("block", "spin")}
    if not by["block"] or not by["spin"]:
        continue
    med = {k: statistics.median(float(r["median_ms"]) for r in v) for k, v in by.items()}
    mean = {k: statistics.median(float(r["mean_ms"]) for r in v) for k, v in by.items()}
    slow = {k: statistics.median(float(r["slow_share"]) for r in v) for k, v in by.items()}
    starts = {k: " ".join(r["median_ms"] for r in v) for k, v in by.items()}
    ratios.append(med["spin"] / med["block"])
    print(f"| {m} | {med['block']:.3f} ({starts['block']}) | {med['spin']:.3f} ({starts['spin']}) | {mean['block']:.3f} | "
          f"{mean['spin']:.3f} | {slow['block']:.2f} | {slow['spin']:.2f} | {med['spin'] / med['block']:.3f} |")
if ratios:
    print(f"\ngeomean spin/block: {math.exp(sum(map(math.log, ratios)) / len(ratios)):.3f} over {len(ratios)} models")
PY
