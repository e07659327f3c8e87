#!/usr/bin/env bash
# Issue #12 on the GPU machine in one device call: the honest-auto benchmark (each policy in its
# own process, back to back, tuning completed first: bench/honest_auto.py) and then the load
# scenario (bench/load_device.sh). Pack on the development machine with
#   bash bench/load_device.sh pack            # binaries, stress-ng, .xfer-load/ models
#   MODELS=... bash bench/auto_device.sh pack # the honest models into .xfer-auto/
# and run there, carry [".device", ".xfer-load", ".xfer-auto"]:
#   bash .device/enter.sh bash bench/auto_device.sh [honest|load|all]
# Output: $OUT/honest_<TAG>.csv/.md and $OUT/load_<TAG>/. HONEST_DIRS (space-separated) are searched
# for the models first: the zoo travels in parts of < 64 MiB (.xfer-h1, ...), one part per call.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/device_common.sh"  # ROOT, and runs from there
HONEST_MODELS="${HONEST_MODELS:-hand_landmark_full,pose_landmark_full,mobilenet_v2,efficientnet_b0,selfie_segmentation,face_detection_short_range}"
if [[ ${1:-} == pack ]]; then
  device_pack_targets controller_overhead -- controller_overhead >/dev/null
  device_xfer_models .xfer-auto "$HONEST_MODELS" .xfer-load
  du -sh .device .xfer-load .xfer-auto 2>/dev/null | sed 's/^/auto_device: /'
  exit 0
fi
TAG="${TAG:-h100}"
device_machine_env
what="${1:-all}"
if [[ $what == honest || $what == all ]]; then
  paths=()
  for m in ${HONEST_MODELS//,/ }; do
    for d in ${HONEST_DIRS:-} .xfer-auto/models .xfer-load/models models; do [[ -f $d/$m.tflite ]] && { paths+=("$d/$m.tflite"); break; }; done
  done
  card=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
  models=$(IFS=,; echo "${paths[*]}")
  python3 bench/honest_auto.py --bin .device/bin/hetsched --models "$models" --threads "${THREADS:-16}" \
    --warmup 5 --iterations 40 --rounds "${ROUNDS:-3}" --budget-s "${HONEST_BUDGET_S:-240}" --out "$OUT/honest_$TAG" \
    --machine "${card:-GPU machine} + $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo))"
fi
if [[ $what == overhead || $what == all ]]; then
  # The per-run cost of adaptive auto's bookkeeping and load readings (issue #12: < 1%).
  .device/bin/controller_overhead --benchmark_min_time=0.5 2>&1 | tee "$OUT/controller_overhead_$TAG.txt"
fi
if [[ $what == load || $what == all ]]; then
  OUT="$OUT" TAG="$TAG" bash bench/load_device.sh
fi
