#!/usr/bin/env bash
# Sets up .venv-peers (Python 3.11, from the pinned requirements-peers.txt) for the GPU peer
# benchmark's conversions (scripts/convert_peers.py: tf2onnx, pnnx, onnx2torch) and local checks
# (ncnn on the software Vulkan device, torch on the CPU). Idempotent: reinstalls only when
# requirements-peers.txt changed. Separate from .venv because tf2onnx/torch/pnnx are heavy.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PEERS_PYTHON:-python3.11}"
VENV=.venv-peers
command -v "$PY" >/dev/null || { echo "setup_peers: $PY not found (set PEERS_PYTHON)" >&2; exit 2; }
[[ -x $VENV/bin/python ]] || "$PY" -m venv "$VENV"
want=$(sha256sum requirements-peers.txt | cut -d' ' -f1)
if [[ ! -f $VENV/.requirements.sha256 || $(cat "$VENV/.requirements.sha256") != "$want" ]]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r requirements-peers.txt
  echo "$want" > "$VENV/.requirements.sha256"
fi
"$VENV/bin/python" -c "import tf2onnx, onnx2torch, pnnx, torch"  # ncnn apart: it and TensorFlow in one process abort at exit
"$VENV/bin/python" -c "import ncnn; print(\"setup_peers: ok, ncnn sees\", ncnn.get_gpu_count(), \"Vulkan device(s)\"); ncnn.destroy_gpu_instance()" 2>&1 | grep setup_peers
