#!/usr/bin/env bash
# The workgroup-parallel global average (gpu/shaders/global_mean.comp, docs/notes/gmean.md) on the
# GPU machine in one device call: its gtests (MEAN and AVERAGE_POOL_2D vs the CPU reference, slice
# ranges on poisoned buffers, fp32 and fp16 storage) and the GPU-only and ratio=0.5 latency of the
# models with global averages, with the MEAN + FC fusion on and off (HETSCHED_NO_FUSE_MEANFC=1: the
# unfused averages, as co-executed plans run them), with the per-op-type times of the averages.
# Old vs new: run it once from this branch and once from the branch before (same machine, same call
# or warm machine).
# On the development machine (binaries + loader into .device/, the models' timing twins into .xfer-gmean/):
#   bash bench/gmean_device.sh pack
# On the GPU machine, device tool, carry [".device", ".xfer-gmean"], one call (< 600 s):
#   bash .device/enter.sh bash bench/gmean_device.sh
# Locally (lavapipe): BIN=build/hetsched MEAN_TEST=build/tests/mean_test POOL_TEST=build/tests/pool2d_test \
#   MODELS_DIR=models ITER=10 bash bench/gmean_device.sh
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/device_common.sh"  # ROOT, and runs from there
MODELS="${MODELS:-selfie_segmentation,efficientnet_b0,mobilenet_v3_large}"
if [[ ${1:-} == pack ]]; then
  set -e
  device_pack_targets hetsched_cli mean_test pool2d_test -- hetsched tests/mean_test tests/pool2d_test >/dev/null
  device_xfer_twins .xfer-gmean "$MODELS"
  du -shL .device .xfer-gmean | sed 's/^/gmean_device: /'
  exit 0
fi

device_machine_env gmean
BIN="${BIN:-.device/bin/hetsched}"
MEAN_TEST="${MEAN_TEST:-.device/bin/mean_test}" POOL_TEST="${POOL_TEST:-.device/bin/pool2d_test}"
WARMUP="${WARMUP:-10}" ITER="${ITER:-50}"
MODELS_DIR="${MODELS_DIR:-/tmp/hs_gmean_models}"
[[ -d .xfer-gmean/models ]] && device_unpack_twins .xfer-gmean "$MODELS_DIR"
"$BIN" devices 2>&1 | tee "$OUT/gmean/devices.txt"

echo "== correctness (gtest)"
for t in "$MEAN_TEST" "$POOL_TEST"; do
  timeout 120 "$t" 2>&1 | tee -a "$OUT/gmean/gtest.txt" | grep -E "^\[ +(FAILED|PASSED) +\]|Failure|global|seed" | head -20
done

echo "== latency (median ms over $ITER runs; the averages' per-op-type sum of medians)"
for m in ${MODELS//,/ }; do
  for policy in gpu ratio=0.5; do
    for fuse in on off; do
      envs=""; [[ $fuse == off ]] && envs="HETSCHED_NO_FUSE_MEANFC=1"
      log="$OUT/gmean/${m}_${policy}_fuse-${fuse}.txt"
      env $envs timeout 120 "$BIN" run "$MODELS_DIR/$m.tflite" --policy "$policy" --warmup "$WARMUP" \
        --iterations "$ITER" > "$log" 2>&1
      lat=$(grep -m1 "^latency" "$log" | sed 's/^latency *//')
      avg=$(grep -E "^ +(MEAN|AVERAGE_POOL_2D) " "$log" | sed 's/  */ /g' | paste -sd';')
      echo "$m $policy fuse=$fuse: ${lat:-FAILED (see $log)} | ${avg}"
    done
  done
done
# One archive back (the device tool returns at most 8 files).
tar -C "$OUT" -czf "$OUT/gmean.tar.gz" gmean && rm -rf "$OUT/gmean" && echo "gmean_device: $OUT/gmean.tar.gz"
