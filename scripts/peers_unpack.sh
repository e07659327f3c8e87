#!/usr/bin/env bash
# On the GPU machine: bash scripts/peers_unpack.sh SET unpacks the carried .xfer-peers-SET/ of
# scripts/peers_pack.sh (SET torch or ncnn) under $HS_HOME/peers (default HS_HOME /root/hs, which stays while
# the machine is warm): the wheels into site/, the ONNX stubs into arch/, the ncnn .param files into
# ncnn/, the zoo's timing twins into models/ (with index.json), and resume.tar.gz (an earlier call's
# state and tuning cache) where it came from. Import-checks only what the set needs.
# Local check of the path: PY=.venv-peers/bin/python PEERS_SKIP_WHEELS=1 (that python's own packages).
set -euo pipefail
PY="${PY:-python3}"
HS_HOME="${HS_HOME:-/root/hs}"
SET="${1:-}"
X=".xfer-peers-$SET"
[[ -f $X/SET && $(cat "$X/SET") == "$SET" ]] || { echo "peers_unpack: no $X/SET here (carry $X; scripts/peers_pack.sh $SET makes it)" >&2; exit 2; }
P="$HS_HOME/peers"
mkdir -p "$P/site" "$P/arch" "$P/models"
if [[ ${PEERS_SKIP_WHEELS:-0} != 1 ]] && ls "$X"/whl/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$P/site" "$X"/whl/*.whl
fi
cp "$X"/arch/* "$P/arch/"
if [[ -d $X/ncnn ]]; then mkdir -p "$P/ncnn" && cp "$X"/ncnn/* "$P/ncnn/"; fi
python3 scripts/timing_twin.py unpack "$X/models" "$P/models" >/dev/null
cp "$X/models/index.json" "$P/models/"
if [[ -f $X/resume.tar.gz && ! -f $P/.resumed ]]; then  # state_<set>.jsonl and cache/ of an earlier call
  tar -C "$HS_HOME" -xzf "$X/resume.tar.gz" && touch "$P/.resumed"
fi
case $SET in
  torch) check='import onnx2torch, torch; print("peers_unpack: onnx2torch ok | torch", torch.__version__, "cuda", torch.cuda.is_available(), end=" ")' ;;
  ncnn) check='import ncnn; print("peers_unpack: ncnn", ncnn.__version__, "Vulkan devices", ncnn.get_gpu_count(), end=" "); ncnn.destroy_gpu_instance()' ;;
  *) echo "peers_unpack: unknown set $SET" >&2; exit 2 ;;
esac
PYTHONPATH="$P/site" "$PY" -c "import onnx, onnxruntime; $check; print('| onnx', onnx.__version__, '| onnxruntime', onnxruntime.__version__)"
echo "peers_unpack: $SET: $(ls "$P/arch" | wc -l) ONNX files + manifest, $(ls "$P/models"/*.tflite | wc -l) twins, $(ls "$P/ncnn" 2>/dev/null | wc -l) ncnn files"
