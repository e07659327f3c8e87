#!/usr/bin/env bash
# On the GPU machine (see scripts/python_device_pack.sh): unpacks the carried cp312 wheel into
# .pyhs/ (no network, no system change) and runs the package there through .device/enter.sh
# (Vulkan loader, carried libraries): the device check (scripts/python_device_check.py: devices,
# cpu/gpu/auto/ratio=0.5 on a few zoo models, outputs against the CPU, timings, a split timeline),
# then tests/python (the LiteRT comparisons skip when ai_edge_litert is not there).
#   [NAMES=a,b] bash scripts/python_device_run.sh [MODELS_DIR]    (default: models/, else $HS_HOME/models)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODELS="${1:-}"
if [[ -z $MODELS ]]; then
  if [[ -f models/index.json ]]; then MODELS=models; else MODELS="${HS_HOME:-/root/hs}/models"; fi
fi
wheel=$(ls -1 .whl/hetsched-*-cp312-*.whl | head -1)
rm -rf .pyhs
python3 -m zipfile -e "$wheel" .pyhs   # a wheel is a zip of the package: no pip, no network needed
[[ -e models/index.json ]] || { rm -rf models; ln -s "$MODELS" models; }
export PYTHONPATH="$ROOT/.pyhs" HETSCHED_CACHE_DIR="${HETSCHED_CACHE_DIR:-/root/hs/cache}" MPLBACKEND=Agg
mkdir -p "${OUT:-/tmp}/python_device"
bash .device/enter.sh python3 scripts/python_device_check.py --models "$MODELS" ${NAMES:+--names "$NAMES"} --out "${OUT:-/tmp}/python_device"
bash .device/enter.sh python3 -m pytest tests/python -q -p no:cacheprovider 2>&1 | tail -40
