#!/usr/bin/env bash
# On the GPU machine: installs the carried peer wheels (.xfer-peers/whl) into $HS_HOME/peers/site
# and copies the architecture-only ONNX files to $HS_HOME/peers/arch (default HS_HOME /root/hs,
# which stays while the machine is warm). bench/device_suite.sh peers reads both from there.
set -euo pipefail
HS_HOME="${HS_HOME:-/root/hs}"
[[ -d .xfer-peers ]] || { echo "peers_unpack: no .xfer-peers here (carry it; scripts/peers_pack.sh makes it)" >&2; exit 2; }
mkdir -p "$HS_HOME/peers/site" "$HS_HOME/peers/arch"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target "$HS_HOME/peers/site" .xfer-peers/whl/*.whl
cp .xfer-peers/arch/* "$HS_HOME/peers/arch/"
chmod +x "$HS_HOME/peers/site/pnnx/pnnx"
PYTHONPATH="$HS_HOME/peers/site" python3 -c 'import pnnx, ncnn, onnx2torch, torch, os
print("peers_unpack: pnnx", pnnx.__version__, "executable" if os.access(pnnx.EXEC_PATH, os.X_OK) else "NOT executable",
      "| ncnn", ncnn.__version__, "| onnx2torch ok | torch", torch.__version__, "cuda", torch.cuda.is_available())'
ls "$HS_HOME/peers/arch" | wc -l | sed 's/^/peers_unpack: ONNX files + manifest: /'
