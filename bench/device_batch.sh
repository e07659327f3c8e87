#!/usr/bin/env bash
# One call of a multi-call benchmark session on the GPU machine (the device tool carries at most
# 64 MiB per call, and the zoo is larger): unpacks what this call carried (.xfer/part*, .whl,
# .xfer-peers), then runs each suite of $SUITES on every zoo model that is complete (sha256 as in
# models/index.json) and not done yet, until $BUDGET_S seconds have passed. Done (suite, model)
# pairs are kept in $HS_HOME/done, so the next call goes on where this one stopped. This call's
# results go to $OUT/<suite>/ (merge them afterwards: bench/merge_device_results.py).
#   bash .device/enter.sh bash bench/device_batch.sh
# Suites: litert (ours vs LiteRT at $LITERT_THREADS, default 1 2 4 8 16 threads), split (model sweep + auto),
# honest (only the honest-auto check: auto, cpu and gpu interleaved, 50 runs each), split_layers
# (every conv layer), gpu_tuning (tuned vs --no-tune vs fp16), peers (ncnn, PyTorch; own state).
set -uo pipefail
HS_HOME="${HS_HOME:-/root/hs}"
OUT="${OUT:-/tmp/out}"
BUDGET_S="${BUDGET_S:-480}"
SUITES="${SUITES:-litert gpu_tuning split split_layers peers}"
BIN=.device/bin
THREADS=16
start=$(date +%s)
left() { echo $((BUDGET_S - ($(date +%s) - start))); }
mkdir -p "$HS_HOME/site" "$OUT"
[[ -d .xfer ]] && EXPECT_PIECES=3 bash scripts/device_unpack.sh >/dev/null
[[ -d .xfer-peers ]] && bash scripts/peers_unpack.sh
if [[ -d .whl ]]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$HS_HOME/site" .whl/*.whl
fi
export PYTHONPATH="$HS_HOME/site${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export HETSCHED_CACHE_DIR="$HS_HOME/cache"
rm -rf models && ln -s "$HS_HOME/models" models
touch "$HS_HOME/done"
complete_models() {
  python3 - <<'PY'
import hashlib, json, os
idx = json.load(open("models/index.json"))
for m in idx["models"]:
    f = os.path.join("models", os.path.basename(m["file"]))
    if m.get("expect_refused") or not os.path.exists(f):
        continue
    if hashlib.sha256(open(f, "rb").read()).hexdigest() == m["sha256"]:
        print(m["name"])
PY
}
[[ -f models/index.json ]] || { echo "device_batch: no models/index.json yet (carry .xfer/part0)"; exit 0; }
models=$(complete_models)
echo "device_batch: complete models: $(echo $models | wc -w); budget ${BUDGET_S}s"
for suite in $SUITES; do
  if [[ $suite == peers ]]; then
    (( $(left) > 60 )) || break
    PEERS_BUDGET_S=$(( $(left) - 60 )) MODELS=$(echo $models | tr ' ' ',') bash bench/device_suite.sh peers
    continue
  fi
  mkdir -p "$OUT/$suite"
  for m in $models; do
    grep -qx "$suite $m" "$HS_HOME/done" && continue
    (( $(left) > 30 )) || { echo "device_batch: budget spent before $suite $m"; break 2; }
    echo "== $suite $m ($(date -u +%T), $(left)s left)"
    case $suite in
      litert) python3 bench/cpu_vs_litert.py --bin $BIN/hetsched --threads ${LITERT_THREADS:-1 2 4 8 16} --iterations 30 --warmup 3 \
                --models "$m" --out-dir "$OUT/litert/$m" >/dev/null ;;
      gpu_tuning) python3 bench/gpu_tuning.py --bin $BIN/hetsched --iterations 50 --warmup 5 --rounds "${ROUNDS:-2}" --fp16 \
                    --models "$m" --out-dir "$OUT/gpu_tuning/$m" --tag h100 >/dev/null ;;
      split) $BIN/split_sweep "models/$m.tflite" --csv "$OUT/split/split_h100.csv" --threads $THREADS \
               --runs "${RUNS:-10}" --warmup 3 --step 0.05 --auto >/dev/null ;;
      honest) $BIN/split_sweep "models/$m.tflite" --csv "$OUT/honest/honest_${TAG:-h100}.csv" --threads $THREADS \
                --honest-only >/dev/null ;;
      split_layers) $BIN/split_sweep "models/$m.tflite" --csv "$OUT/split_layers/split_layers_h100.csv" \
                      --threads $THREADS --layers --no-model --layer-runs "${LAYER_RUNS:-5}" --warmup 1 --step 0.05 \
                      --cutoff 2 >/dev/null ;;
      *) echo "unknown suite $suite"; continue ;;
    esac
    rc=$?
    if (( rc == 0 )); then echo "$suite $m" >> "$HS_HOME/done"; else echo "device_batch: $suite $m failed (rc $rc)"; fi
  done
done
echo "device_batch: done: $(wc -l < "$HS_HOME/done") suite x model pairs; $(left)s of the budget left"
