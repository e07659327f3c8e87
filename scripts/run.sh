#!/usr/bin/env bash
# The first command of the README: set-up, Release build into build/, then the main job on
# models/pose_landmark_full.tflite with the GPU policy on the default Vulkan device, printing
# hetsched's summary. Documented fallback: with no usable Vulkan device it runs the CPU policy.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
BUILD="${HETSCHED_BUILD_DIR:-$ROOT/build}"
bash "$ROOT/scripts/build.sh" "$BUILD" -DCMAKE_BUILD_TYPE=Release -DHETSCHED_WERROR=ON

cd "$ROOT"
model=models/pose_landmark_full.tflite
err="$(mktemp)"
trap 'rm -f "$err"' EXIT
echo "run: $BUILD/hetsched run $model --policy gpu" >&2
if "$BUILD/hetsched" run "$model" --policy gpu "$@" 2>"$err"; then
  cat "$err" >&2
  exit 0
else
  rc=$?
fi
# A failure of the GPU policy (no Vulkan device, device creation failed) falls back to the CPU.
echo "run: --policy gpu is not available (exit $rc: $(tail -n1 "$err")); falling back to --policy cpu" >&2
rm -f "$err"
exec "$BUILD/hetsched" run "$model" --policy cpu "$@"
