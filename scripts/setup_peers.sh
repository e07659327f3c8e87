#!/usr/bin/env bash
# Sets up .venv-peers (Python 3.11, from the pinned requirements-peers.txt) for the GPU peer
# benchmark's conversions (scripts/convert_peers.py: tf2onnx, pnnx, onnx2torch) and local checks
# (ncnn on the software Vulkan device, torch on the CPU). Idempotent: reinstalls only when
# requirements-peers.txt or the set changed. Separate from .venv because tf2onnx/torch/pnnx are heavy.
# PEERS_SET=all (default): every pin. PEERS_SET=convert: the pins without torch and its CUDA wheels
# (torch, torchvision, triton, onnx2torch, nvidia-*, cuda-*; installed --no-deps, the file is a
# full freeze), enough for `scripts/convert_peers.py --no-torch` and scripts/peers_pack.sh (about
# 1 GB instead of several).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PEERS_PYTHON:-python3.11}"
SET="${PEERS_SET:-all}"
VENV=.venv-peers
command -v "$PY" >/dev/null || { echo "setup_peers: $PY not found (set PEERS_PYTHON)" >&2; exit 2; }
case $SET in
  all) reqs=requirements-peers.txt; deps=() ;;
  convert) reqs=$(mktemp); trap 'rm -f "$reqs"' EXIT
    grep -viE '^(torch|torchvision|triton|onnx2torch|nvidia-[a-z0-9-]+|cuda-[a-z-]+)==' requirements-peers.txt > "$reqs"
    deps=(--no-deps) ;;
  *) echo "setup_peers: PEERS_SET=$SET is neither all nor convert" >&2; exit 2 ;;
esac
[[ -x $VENV/bin/python ]] || "$PY" -m venv "$VENV"
want="$SET $(sha256sum requirements-peers.txt | cut -d' ' -f1)"
if [[ ! -f $VENV/.requirements.sha256 || $(cat "$VENV/.requirements.sha256") != "$want" ]]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "${deps[@]}" -r "$reqs"
  echo "$want" > "$VENV/.requirements.sha256"
fi
if [[ $SET == all ]]; then
  "$VENV/bin/python" -c "import tf2onnx, onnx2torch, pnnx, torch"  # ncnn apart: it and TensorFlow in one process abort at exit
else
  "$VENV/bin/python" -c "import tf2onnx, onnxruntime, ai_edge_litert, importlib.util as u, os; p = u.find_spec(\"pnnx\").submodule_search_locations[0]; assert os.access(os.path.join(p, \"pnnx\"), os.X_OK), p"  # import pnnx needs torch
fi
"$VENV/bin/python" -c "import ncnn; print(\"setup_peers: ok ($SET), ncnn sees\", ncnn.get_gpu_count(), \"Vulkan device(s)\"); ncnn.destroy_gpu_instance()" 2>&1 | grep setup_peers
