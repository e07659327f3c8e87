#!/usr/bin/env bash
# Runs a benchmark suite on the GPU machine, from the repo root there, inside .device/enter.sh:
#   bash .device/enter.sh bash bench/device_suite.sh SUITE...
# Suites: devices | gpu_cpu | gpu_tuning | litert | split | split_layers | peers (ncnn Vulkan and
# PyTorch CUDA vs ours; needs scripts/peers_unpack.sh first, see scripts/peers_pack.sh; its two sets no longer fit
# one carry: bench/peers_device.sh runs ours + one peer per call). Results go to $OUT (the device
# tool's output folder) and are committed under bench/results/ by hand.
# Also runs on the development machine: BIN=build TAG=lavapipe THREADS=2 OUT=/tmp/out
#   bash bench/device_suite.sh split   (no /root/hs/models there: models/ stays as it is; for peers add
#   PEERS_PYTHON=.venv-peers/bin/python PEERS_ARGS='--device cpu').
# Knobs: MODELS=a,b  RUNS (model sweep, default 20)  LAYER_RUNS (per layer, default 10)
#   MAX_LAYERS (largest N conv layers per model, default all)  STEP (default 0.05)
#   CUTOFF (stop timing a configuration after 3 runs when over CUTOFF x the better processor).
set -uo pipefail
OUT="${OUT:-/tmp/out}"
HS_HOME="${HS_HOME:-$([[ -d /root/hs/models ]] && echo /root/hs)}"
BIN="${BIN:-.device/bin}"
TAG="${TAG:-h100}"
THREADS="${THREADS:-16}"
mkdir -p "$OUT"
if [[ -n $HS_HOME ]]; then
  rm -rf models && ln -s "$HS_HOME/models" models
  export HETSCHED_CACHE_DIR="$HS_HOME/cache"
fi
if [[ -d .whl ]] && ! python3 -c 'import ai_edge_litert' 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
fi
export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
models() { python3 -c "import json;print(' '.join(m['name'] for m in json.load(open('models/index.json'))['models'] if not m.get('expect_refused')))"; }
for suite in "$@"; do
  echo "== suite $suite ($(date -u +%T))"
  case $suite in
    devices) $BIN/hetsched devices | tee "$OUT/devices.txt" ;;
    gpu_cpu) python3 bench/gpu_cpu_table.py --bin $BIN/hetsched --threads "$THREADS" --iterations 50 --warmup 5 \
               --out-dir "$OUT" --tag "$TAG" ${MODELS:+--models $MODELS} ;;
    gpu_tuning) python3 bench/gpu_tuning.py --bin $BIN/hetsched --iterations 50 --warmup 5 --rounds 3 --fp16 \
                  --out-dir "$OUT" --tag "$TAG" ${MODELS:+--models $MODELS} ;;
    litert) python3 bench/cpu_vs_litert.py --bin $BIN/hetsched --threads ${LITERT_THREADS:-1 4 16} --iterations 30 \
              --warmup 3 --out-dir "$OUT" ${MODELS:+--models $MODELS} ;;
    split|split_layers)
      extra=""; [[ $suite == split_layers ]] && extra="--layers --max-layers ${MAX_LAYERS:-1000} --layer-runs ${LAYER_RUNS:-10}"
      for m in $(if [[ -n ${MODELS:-} ]]; then echo "${MODELS//,/ }"; else models; fi); do
        $BIN/split_sweep "models/$m.tflite" --csv "$OUT/${suite}_${TAG}.csv" --threads "$THREADS" \
          --runs "${RUNS:-20}" --warmup 3 --step "${STEP:-0.05}" $([[ $suite == split ]] && echo --auto) $extra ${CUTOFF:+--cutoff $CUTOFF} \
          || echo "split_sweep failed on $m"
      done ;;
    peers)  # resumable: finished models are kept in $PEERS_HOME/state.jsonl; a call starts no model after
            # PEERS_BUDGET_S seconds, so call it again until it reports every model. PEERS_HOME: where
            # scripts/peers_unpack.sh put site/ and arch/ ($HS_HOME/peers; here .peers of convert_peers.py)
      peers_home="${PEERS_HOME:-${HS_HOME:+$HS_HOME/peers}}"; peers_home="${peers_home:-$PWD/.peers}"
      PYTHONPATH="$peers_home/site:$PYTHONPATH" "${PEERS_PYTHON:-python3}" bench/gpu_peers.py --bin $BIN/hetsched \
        --onnx-dir "$peers_home/arch" --work-dir "$peers_home/work" --state "$peers_home/state.jsonl" \
        --budget-s "${PEERS_BUDGET_S:-420}" --verify --iterations "${ITERATIONS:-50}" --warmup 10 --out-dir "$OUT" \
        --tag "$TAG" ${MODELS:+--models $MODELS} ${PEERS_ARGS:-} ;;
    *) echo "unknown suite $suite" ;;
  esac
done
