#!/bin/bash
# auto's prepare time on models it has never seen: op costs measured (no device profile) vs
# predicted (a device profile with PREDICTOR installed), each from the same warm pipeline and
# tuning caches and no op-profile cache. Usage: PREDICTOR=p.json bench/prepare_time.sh MODEL...
# Prints CSV: model, costs, init_ms (hetsched run --policy auto --threads 2), cost_source.
set -e
B=${HETSCHED_BIN:-build/hetsched}
W=${WORK:-/tmp/hetsched_prepare}
rm -rf $W/base && mkdir -p $W/base
HETSCHED_CACHE_DIR=$W/base $B profile models/face_detection_short_range.tflite --quick --models-only --gpu --no-fp16 --threads 2 --out $W/m.csv 2>/dev/null
HETSCHED_CACHE_DIR=$W/base $B profile --install-predictor ${PREDICTOR:?set PREDICTOR to a predictor file} --gpu 2>&1 | tail -1
echo "model,costs,init_ms,cost_source"
for m in "$@"; do
  # warm the pipeline and tuning caches once (both variants start from them)
  HETSCHED_CACHE_DIR=$W/base $B run models/$m.tflite --policy gpu --threads 2 --iterations 1 --warmup 0 > /dev/null 2>&1 || true
  rm -f $W/base/opprofile-* $W/base/*profile*${m}* 2>/dev/null || true
  for variant in measured predicted; do
    rm -rf $W/v && cp -r $W/base $W/v
    [[ $variant == measured ]] && rm -f $W/v/device-*.json
    HETSCHED_CACHE_DIR=$W/v $B run models/$m.tflite --policy auto --threads 2 --iterations 3 --warmup 1 --json 2>/dev/null \
      | python3 -c "import json,sys; j=json.load(sys.stdin); print(f\"$m,$variant,{j['init_ms']:.0f},{j['cost_source'][:60]}\")"
  done
done
