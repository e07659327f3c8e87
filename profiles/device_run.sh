#!/usr/bin/env bash
# The latency dataset on the GPU machine (not run by CI): generates architectures (NAS-Bench-101
# cells and mobile blocks), profiles them with `build/hetsched profile` (CPU at 1/4/16 threads, the
# GPU in fp32 and fp16), profiles the zoo for model-level evaluation (never trained on), then
# trains the predictors and writes the accuracy report. Everything goes to $OUT.
#
#   OUT=/path profiles/device_run.sh [N_ARCHS] [BUDGET_S]
#
# N_ARCHS (default 2000) architectures, half of each family, generated and profiled in batches of
# 20 until N_ARCHS or BUDGET_S seconds (default 420: one 10-minute device command leaves time for
# the zoo and the report) is reached; a later call with the same $OUT resumes (files and rows kept).
# Needs: build/hetsched (Release), .venv with tensorflow-cpu and lightgbm (requirements.txt).
# Env: THREADS (1,4,16), GPU_FLAGS (--gpu), ZOO (1: profile the zoo), ZOO_BUDGET_S (150).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
: "${OUT:?set OUT to the output folder}"
N="${1:-2000}"
BUDGET="${2:-420}"
THREADS="${THREADS:-1,4,16}"
GPU_FLAGS="${GPU_FLAGS:---gpu}"
PY="${PY:-$ROOT/.venv/bin/python}"
BIN="${HETSCHED_BIN:-$ROOT/build/hetsched}"
export HETSCHED_CACHE_DIR="${HETSCHED_CACHE_DIR:-$OUT/cache}"
mkdir -p "$OUT/archs" "$OUT/cache"
start=$SECONDS
log() { echo "device_run: $* ($((SECONDS - start)) s)" | tee -a "$OUT/device_run.log" >&2; }
[[ -x "$BIN" ]] || { echo "device_run: $BIN missing: build first" >&2; exit 1; }
"$PY" -c "import tensorflow, lightgbm" 2>/dev/null || { echo "device_run: $PY lacks tensorflow or lightgbm" >&2; exit 1; }
{ date -u +%FT%TZ; nproc; grep -m1 "model name" /proc/cpuinfo || true; "$BIN" devices || true; } > "$OUT/machine.txt" 2>&1

batch=20
i=0
while (( i < N / 2 )) && (( SECONDS - start < BUDGET )); do
  # One batch of each family: NAS-Bench-101 at CIFAR size (32x32, stem 128), mobile at 96-320.
  nice -n 10 "$PY" profiles/gen/gen_archs.py --family nb101 --seed 1 --start "$i" --count "$batch" --out "$OUT/archs" \
    --time-budget $((BUDGET - (SECONDS - start)))
  nice -n 10 "$PY" profiles/gen/gen_archs.py --family mobile --seed 1 --start "$i" --count "$batch" --out "$OUT/archs" \
    --time-budget $((BUDGET - (SECONDS - start)))
  new=()
  for f in "$OUT"/archs/nb101_s1_*.tflite "$OUT"/archs/mobile_s1_*.tflite; do
    [[ -e "$f" ]] || continue
    grep -qF "$(basename "$f")" "$OUT/profiled.txt" 2>/dev/null || new+=("$f")
  done
  if (( ${#new[@]} )); then
    log "profiling ${#new[@]} architectures (from $i)"
    # shellcheck disable=SC2086
    if "$BIN" profile "${new[@]}" --threads "$THREADS" $GPU_FLAGS --out "$OUT/dataset.csv" --append \
         2>> "$OUT/profile.log"; then
      printf '%s\n' "${new[@]##*/}" >> "$OUT/profiled.txt"
    else
      log "profile failed on a batch (see profile.log); its models are skipped"
      printf '%s\n' "${new[@]##*/}" >> "$OUT/profiled.txt"
    fi
  fi
  i=$((i + batch))
done
log "$(sort -u "$OUT/profiled.txt" 2>/dev/null | wc -l) architectures profiled"

if [[ "${ZOO:-1}" == 1 && ! -s "$OUT/zoo.csv" ]]; then
  log "profiling the zoo (evaluation only)"
  zoo=()
  for f in models/*.tflite; do [[ "$f" == *.litert.tflite ]] || zoo+=("$f"); done
  # shellcheck disable=SC2086
  timeout "${ZOO_BUDGET_S:-150}" "$BIN" profile "${zoo[@]}" --threads "$THREADS" $GPU_FLAGS --out "$OUT/zoo.csv" \
    --no-device-profile 2>> "$OUT/profile.log" || log "zoo profiling stopped early (rows so far are kept)"
fi

log "training and report"
zoo_args=()
[[ -s "$OUT/zoo.csv" ]] && zoo_args=(--zoo "$OUT/zoo.csv")
nice -n 10 "$PY" profiles/report.py --train "$OUT/dataset.csv" "${zoo_args[@]}" --out "$OUT/report" \
  --label "GPU machine, $(date -u +%F), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" > /dev/null
"$BIN" profile --install-predictor "$OUT/report/predictor_gbt.json" $GPU_FLAGS || true
cp "$HETSCHED_CACHE_DIR"/device-*.json "$OUT/" 2>/dev/null || true
log "done: $OUT/report/report.md"
