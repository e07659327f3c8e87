#!/usr/bin/env bash
# Issue #16 bullet 6 on the GPU machine: our GPU-only latency against one peer per device call, both
# in the same run (bench/gpu_peers.py --engines ours,PEER; fp32 and fp16; the zoo's 20 models as
# timing twins), since the two peers' carries do not fit one call together.
#
# On the development machine (empties .device/bin and lib, keeping its loader packages, and fills them
# with hetsched alone, ~8 MB; .xfer-peers-SET/ gets one set, scripts/peers_pack.sh): pack both first,
#   bash bench/peers_device.sh pack torch && bash bench/peers_device.sh pack ncnn   # RESUME=FILE: below
# then on the GPU machine, device tool, carry [".device", ".xfer-peers-torch"] (or -ncnn), timeout_s 600:
#   bash .device/enter.sh bash bench/peers_device.sh torch     # or ncnn
# Each call first completes our tuning per model (bench/gpu_peers.py run_ours) and starts no model
# after BUDGET_S (default 420) seconds; finished models are kept in $HS_HOME/peers/state_SET.jsonl, so
# calling it again continues (on a warm machine; on a fresh one pack again with
# RESUME=<the returned peers_SET_state.tar.gz>). Every call reports all finished models.
# Output in $OUT: gpu_peers_<TAG>-<SET>_<date>.{csv,md} and peers_SET_state.tar.gz (state + tuning cache).
# Both sets done: python3 bench/peers_merge.py TORCH.csv NCNN.csv bench/results/gpu_peers_<tag>_<date>
# Knobs: MODELS=a,b  ITERATIONS (50)  BUDGET_S (420)  TAG (h100)  PRECISIONS (torch: fp32,fp32strict,fp16,mixed:
# fp32strict is PyTorch with TF32 off, see gpu_peers.py; ncnn: fp32,fp16)  PEERS_ARGS (extra gpu_peers.py
# arguments, e.g. '--device cpu' for a local check)  PY (python3).
# Local check: BIN=build/hetsched HS_HOME=/tmp/hs OUT=/tmp/out PY=.venv-peers/bin/python PEERS_SKIP_WHEELS=1
#   MODELS=a,b bash bench/peers_device.sh ncnn   (lavapipe; the torch set needs torch in that python)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/device_common.sh"  # ROOT, and runs from there

if [[ ${1:-} == pack ]]; then
  set -e
  SET="${2:-}"
  [[ $SET == torch || $SET == ncnn ]] || { echo "usage: bench/peers_device.sh pack torch|ncnn" >&2; exit 2; }
  rm -rf .device/bin .device/lib .device/stress-ng.tar.xz  # other packs' binaries and stress-ng would push the carry over 64 MiB
  device_pack_targets hetsched_cli -- hetsched >/dev/null
  bash scripts/peers_pack.sh "$SET"
  # Bytes of the files present (scripts/device_slim.sh on leaves the results folders out).
  tree=$( (git ls-files -z | xargs -0 stat -c %s 2>/dev/null || true) | awk '{s += $1} END {print s + 0}')
  extra=$( (git ls-files -z --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null || true) |
    awk '{s += $1} END {print s + 0}')
  dev=$(du -sbL .device | cut -f1) xfer=$(du -sbL ".xfer-peers-$SET" | cut -f1)
  total=$((tree + ${extra:-0} + dev + xfer))
  echo "peers_device: tree $((tree / 1024)) KiB + untracked $((${extra:-0} / 1024)) KiB + .device $((dev / 1024)) KiB" \
    "+ .xfer-peers-$SET $((xfer / 1024)) KiB = $((total / 1024 / 1024)) MiB (limit 64 MiB)"
  (( total < 64 * 1024 * 1024 )) || { echo "peers_device: over the device tool's 64 MiB" >&2; exit 1; }
  echo "peers_device: carry [\".device\", \".xfer-peers-$SET\"]; run: bash .device/enter.sh bash bench/peers_device.sh $SET"
  exit 0
fi

# --- on the GPU machine ---
SET="${1:-}"
[[ $SET == torch || $SET == ncnn ]] || { echo "usage: bench/peers_device.sh torch|ncnn" >&2; exit 2; }
TAG="${TAG:-h100}"
BIN="${BIN:-.device/bin/hetsched}"
device_machine_env
bash scripts/peers_unpack.sh "$SET" || exit
P="$HS_HOME/peers"
"$BIN" devices 2>&1 | head -3
ncnn_dir=(); [[ $SET == ncnn ]] && ncnn_dir=(--ncnn-dir "$P/ncnn")
# PyTorch also without TF32 (fp32strict: strict float32 as ours); ncnn's fp32 is strict already.
PRECISIONS="${PRECISIONS:-$([[ $SET == torch ]] && echo fp32,fp32strict,fp16,mixed || echo fp32,fp16)}"
# shellcheck disable=SC2086
PYTHONPATH="$P/site${PYTHONPATH:+:$PYTHONPATH}" "${PY:-python3}" bench/gpu_peers.py --bin "$BIN" --index "$P/models/index.json" \
  --onnx-dir "$P/arch" "${ncnn_dir[@]}" --work-dir "$P/work" --engines "ours,$SET" --state "$P/state_$SET.jsonl" \
  --budget-s "${BUDGET_S:-420}" --verify --iterations "${ITERATIONS:-50}" --warmup 10 --out-dir "$OUT" \
  --tag "$TAG-$SET" --precisions "$PRECISIONS" ${MODELS:+--models $MODELS} ${PEERS_ARGS:-}
rc=$?
# The finished models and the tuning cache (not the driver's pipeline cache: large, and rebuilt quickly).
tar -C "$HS_HOME" --exclude='cache/pipelines-*' -czf "$OUT/peers_${SET}_state.tar.gz" "peers/state_$SET.jsonl" cache 2>/dev/null
echo "peers_device: $OUT/peers_${SET}_state.tar.gz ($(du -k "$OUT/peers_${SET}_state.tar.gz" | cut -f1) KiB; RESUME= for a pack on a fresh machine)"
done=$(wc -l < "$P/state_$SET.jsonl" 2>/dev/null || echo 0)
want=$(python3 -c "import json; print(sum(1 for m in json.load(open('$P/models/index.json'))['models'] if not m.get('expect_refused')))")
echo "peers_device: $SET: $done of $want models done (gpu_peers exit $rc)$( (( done < want )) && echo '; call again to continue')"
