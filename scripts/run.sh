#!/usr/bin/env bash
# The first command of the README: set-up, Release build into build/, then the main job:
# `hetsched compare` on models/pose_landmark_full.tflite with cpu, gpu and auto on the default
# Vulkan device (no device: the gpu and auto rows say why, the cpu row still runs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
BUILD="${HETSCHED_BUILD_DIR:-$ROOT/build}"
bash "$ROOT/scripts/build.sh" "$BUILD" -DCMAKE_BUILD_TYPE=Release -DHETSCHED_WERROR=ON

cd "$ROOT"
model=models/pose_landmark_full.tflite
# The point of hetsched in one screen: the model under cpu, gpu and auto, each in its own session
# (warm-up, then back-to-back runs), their latencies side by side, and what auto chose and why.
# Without a usable Vulkan device the gpu and auto rows say why they are unavailable.
echo "run: $BUILD/hetsched compare $model --policies cpu,gpu,auto --warmup 3 --iterations 20 $*" >&2
exec "$BUILD/hetsched" compare "$model" --policies cpu,gpu,auto --warmup 3 --iterations 20 "$@"
