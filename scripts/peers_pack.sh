#!/usr/bin/env bash
# Prepares the GPU peer benchmark's carry folder .xfer-peers-SET/ for one peer set (one device call;
# with .device and the tree it must stay under the device tool's 64 MiB, the tree alone is ~37 MB):
#   scripts/peers_pack.sh torch   whl/ onnx2torch (the GPU machine's python3 has torch, torchvision,
#                                 onnx and onnxruntime)                                     ~3 MB
#   scripts/peers_pack.sh ncnn    whl/ ncnn + portalocker, and ncnn/NAME.ncnn.param: pnnx (a 29 MB
#                                 wheel, too big to travel) runs here on each stub re-materialized as
#                                 bench/gpu_peers.py does there; only the .param travels, so ncnn's
#                                 weights are zero there (NAME.ncnn.failed: pnnx's reason)   ~15 MB
# Both also hold:
#   arch/     the architecture-only ONNX files + manifest.json of scripts/convert_peers.py
#   models/   the timing twins of the zoo (scripts/timing_twin.py: same graphs, for timing only) + index.json
#   SET       the set's name (scripts/peers_unpack.sh installs and checks what it names)
# PEERS_WITH_ONNX=1 adds the onnx wheel (~17 MB; the GPU machine's image has onnx 1.23.1).
# RESUME=FILE: a peers_SET_state.tar.gz from an earlier call's $OUT travels as resume.tar.gz (the
# finished models and the tuning cache), for a later call on a fresh machine.
# There: bash scripts/peers_unpack.sh (bench/peers_device.sh does it), versions from requirements-peers.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SET="${1:-}"
[[ $SET == torch || $SET == ncnn ]] || { echo "usage: scripts/peers_pack.sh torch|ncnn" >&2; exit 2; }
[[ -x .venv-peers/bin/python ]] || PEERS_SET=convert bash scripts/setup_peers.sh
[[ -f .peers/arch/manifest.json ]] || nice -n 5 .venv-peers/bin/python scripts/convert_peers.py --no-pnnx --no-torch
X=".xfer-peers-$SET"  # one folder per set: both can be packed before the first call
source scripts/device_common.sh
device_xfer_twins "$X"  # empties it first
mkdir -p "$X/whl" "$X/arch"
echo "$SET" > "$X/SET"
cp .peers/arch/*.onnx .peers/arch/manifest.json "$X/arch/"
case $SET in
  torch) names=(onnx2torch) ;;
  ncnn)  names=(ncnn portalocker)
    mkdir -p "$X/ncnn"
    nice -n 5 .venv-peers/bin/python - .peers/arch .peers/work "$X/ncnn" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, "bench")
import onnx
import peers_onnx
arch, work, dest = map(Path, sys.argv[1:4])
for src in sorted(arch.glob("*.onnx")):
    name = src.stem
    full = work / "onnx" / src.name
    full.parent.mkdir(parents=True, exist_ok=True)
    model = onnx.load(str(src))
    if not full.exists() or full.stat().st_mtime < src.stat().st_mtime:  # as bench/gpu_peers.py does
        peers_onnx.materialize(model)
        onnx.save(model, str(full))
    try:
        param, _ = peers_onnx.to_ncnn(full, work / "ncnn" / name, peers_onnx.input_shapes(model))
        (dest / param.name).write_bytes(param.read_bytes())
        print(f"peers_pack: {name}: pnnx ok", flush=True)
    except Exception as e:  # noqa: BLE001 - the reason travels and is reported there
        (dest / f"{name}.ncnn.failed").write_text(f"{type(e).__name__}: {e}"[:300] + "\n")
        print(f"peers_pack: {name}: pnnx failed: {e}", flush=True)
PY
    ;;
esac
[[ ${PEERS_WITH_ONNX:-0} == 1 ]] && names+=(onnx)
pins=()
for p in "${names[@]}"; do pins+=("$(grep -i "^$p==" requirements-peers.txt)"); done
.venv-peers/bin/python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 \
  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
  -d "$X/whl" "${pins[@]}"
if [[ -n ${RESUME:-} ]]; then cp "$RESUME" "$X/resume.tar.gz"; fi
du -sh "$X"/* | sed 's/^/peers_pack: /'
size=$(du -sb "$X" | cut -f1)
echo "peers_pack: $X is $((size / 1024)) KiB"
if (( size > 22 * 1024 * 1024 )); then echo "peers_pack: $X is $size bytes, over 22 MB" >&2; exit 1; fi
