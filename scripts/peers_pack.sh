#!/usr/bin/env bash
# Prepares the GPU peer benchmark's carry folder .xfer-peers/ (one device call, kept <= ~60 MB):
#   whl/   cp312 manylinux wheels the GPU machine lacks: pnnx, ncnn, onnx2torch, portalocker
#          (versions from requirements-peers.txt)
#   arch/  the architecture-only ONNX files + manifest.json of scripts/convert_peers.py (weights
#          replaced by shape/dtype/mean/std/seed stubs: about 2 MB for the whole zoo)
# The zoo .tflite files and the hetsched build travel as usual (scripts/device_pack.sh).
# There: bash scripts/peers_unpack.sh, then bash .device/enter.sh bash bench/device_suite.sh peers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[[ -x .venv-peers/bin/python ]] || bash scripts/setup_peers.sh
[[ -f .peers/arch/manifest.json ]] || .venv-peers/bin/python scripts/convert_peers.py
rm -rf .xfer-peers && mkdir -p .xfer-peers/whl .xfer-peers/arch
cp .peers/arch/*.onnx .peers/arch/manifest.json .xfer-peers/arch/
pins=()
for p in pnnx ncnn onnx2torch portalocker; do
  pins+=("$(grep -i "^$p==" requirements-peers.txt)")
done
.venv-peers/bin/python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 \
  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
  -d .xfer-peers/whl "${pins[@]}"
size=$(du -sb .xfer-peers | cut -f1)
du -sh .xfer-peers/whl .xfer-peers/arch | sed 's/^/peers_pack: /'
if (( size > 60 * 1024 * 1024 )); then echo "peers_pack: .xfer-peers is $size bytes, over 60 MB" >&2; exit 1; fi
