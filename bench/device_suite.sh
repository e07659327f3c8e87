#!/usr/bin/env bash
# Runs a benchmark suite on the GPU machine, from the repo root there, inside .device/enter.sh:
#   bash .device/enter.sh bash bench/device_suite.sh SUITE...
# Suites: devices | gpu_cpu | gpu_tuning | litert | split | split_layers. Results go to $OUT (the device
# tool's output folder) and are committed under bench/results/ by hand.
set -uo pipefail
OUT="${OUT:-/tmp/out}"
HS_HOME="${HS_HOME:-/root/hs}"
BIN=.device/bin
THREADS="${THREADS:-16}"
mkdir -p "$OUT"
rm -rf models && ln -s "$HS_HOME/models" models
export HETSCHED_CACHE_DIR="$HS_HOME/cache"
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
               --out-dir "$OUT" --tag h100 ${MODELS:+--models $MODELS} ;;
    gpu_tuning) python3 bench/gpu_tuning.py --bin $BIN/hetsched --iterations 50 --warmup 5 --rounds 3 --fp16 \
                  --out-dir "$OUT" --tag h100 ${MODELS:+--models $MODELS} ;;
    litert) python3 bench/cpu_vs_litert.py --bin $BIN/hetsched --threads ${LITERT_THREADS:-1 4 16} --iterations 30 \
              --warmup 3 --out-dir "$OUT" ${MODELS:+--models $MODELS} ;;
    split|split_layers)
      extra=""; [[ $suite == split_layers ]] && extra="--layers --max-layers ${MAX_LAYERS:-3}"
      for m in $(if [[ -n ${MODELS:-} ]]; then echo "${MODELS//,/ }"; else models; fi); do
        $BIN/split_sweep "models/$m.tflite" --csv "$OUT/${suite}_h100.csv" --threads "$THREADS" \
          --runs "${RUNS:-20}" --warmup 3 --step "${STEP:-0.05}" $([[ $suite == split ]] && echo --auto) $extra \
          || echo "split_sweep failed on $m"
      done ;;
    *) echo "unknown suite $suite" ;;
  esac
done
