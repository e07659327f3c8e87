#!/usr/bin/env bash
# The latency dataset on the GPU machine (not run by CI): generates architectures (NAS-Bench-101
# cells and mobile blocks), profiles them with `build/hetsched profile` (CPU at 1/4/16 threads, the
# GPU in fp32 and fp16), profiles the zoo for model-level evaluation (never trained on), then
# trains the predictors and writes the accuracy report. Everything goes to $OUT.
#
#   OUT=/path profiles/device_run.sh [N_ARCHS] [BUDGET_S]
#
# Three phases, so that generation (TensorFlow, many cores) never overlaps a measurement:
#   1. generate up to N_ARCHS (default 2000; half per family) with GEN_JOBS (8) parallel processes
#      for at most GEN_BUDGET_S (120) seconds;
#   2. profile the architectures not profiled yet, in batches of 10, until BUDGET_S (default 420,
#      counted from the start) is spent;
#   2b. adaptive sampling once (ADAPTIVE=1): profiles/gen/adaptive.py finds where the predictor
#      errs on held-out architectures and N/4 more mobile architectures are generated there;
#   3. profile the zoo once (ZOO_BUDGET_S, 120), train, report (profiles/report.py), install the
#      predictor into the device profile.
# A later call with the same $OUT resumes: files, rows and the list of profiled models are kept.
# Cost guide: a mobile architecture takes a few seconds at 3 thread counts + 2 GPU precisions; a
# NAS-Bench-101 one at the published size (32x32, stem 128) tens of seconds at 1 thread, so
# NB101_FLAGS="--stem-channels 64" (or PROFILE_FLAGS="--threads 4,16") buys more architectures.
# Needs: build/hetsched (Release), .venv with tensorflow-cpu and lightgbm (requirements.txt).
# Env: THREADS (1,4,16), GPU_FLAGS (--gpu --corun), PROFILE_FLAGS (--samples 5), NB101_FLAGS, MOBILE_FLAGS,
#      GEN_JOBS, GEN_BUDGET_S, ZOO (1: profile the zoo), ZOO_BUDGET_S.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
: "${OUT:?set OUT to the output folder}"
N="${1:-2000}"
BUDGET="${2:-420}"
THREADS="${THREADS:-1,4,16}"
GPU_FLAGS="${GPU_FLAGS---gpu --corun}"  # set but empty: CPU only; --corun: the co-running slowdown rows
PROFILE_FLAGS="${PROFILE_FLAGS:---samples 5}"
NB101_FLAGS="${NB101_FLAGS:---resolution 32 --stem-channels 128}"
MOBILE_FLAGS="${MOBILE_FLAGS:---min-res 96 --max-res 320}"
GEN_JOBS="${GEN_JOBS:-8}"
GEN_BUDGET="${GEN_BUDGET_S:-120}"
PY="${PY:-$ROOT/.venv/bin/python}"
BIN="${HETSCHED_BIN:-$ROOT/build/hetsched}"
export HETSCHED_CACHE_DIR="${HETSCHED_CACHE_DIR:-$OUT/cache}"
mkdir -p "$OUT/archs" "$OUT/cache"
touch "$OUT/profiled.txt"
start=$SECONDS
log() { echo "device_run: $* ($((SECONDS - start)) s)" | tee -a "$OUT/device_run.log" >&2; }
[[ -x "$BIN" ]] || { echo "device_run: $BIN missing: build first" >&2; exit 1; }
"$PY" -c "import tensorflow, lightgbm" 2>/dev/null || { echo "device_run: $PY lacks tensorflow or lightgbm" >&2; exit 1; }
{ date -u +%FT%TZ; nproc; grep -m1 "model name" /proc/cpuinfo || true; "$BIN" devices || true; } > "$OUT/machine.txt" 2>&1

# 1. Generation: job j of each family makes indices j, j + GEN_JOBS, ... (existing files are skipped).
log "generating up to $N architectures with $GEN_JOBS jobs for at most $GEN_BUDGET s"
per_job=$(( (N / 2 + GEN_JOBS - 1) / GEN_JOBS ))
pids=()
for family in nb101 mobile; do
  flags="$NB101_FLAGS"; [[ $family == mobile ]] && flags="$MOBILE_FLAGS"
  for ((j = 0; j < GEN_JOBS / 2 || j == 0; j++)); do
    # shellcheck disable=SC2086
    nice -n 10 "$PY" profiles/gen/gen_archs.py --family "$family" --seed 1 --start $((j * per_job * 2)) \
      --count $((per_job * 2)) --out "$OUT/archs/$family.$j" $flags --time-budget "$GEN_BUDGET" \
      2>> "$OUT/gen.log" &
    pids+=($!)
  done
done
for p in "${pids[@]}"; do wait "$p" || log "a generator failed (see gen.log)"; done
log "$(find "$OUT/archs" -name '*.tflite' | wc -l) architectures generated in all"

# 2. Profiling, batch by batch, within the budget.
# profile_pending DIR: profiles the architectures under DIR not profiled yet, 10 at a time, until
# the budget is spent.
profile_pending() {
  while (( SECONDS - start < BUDGET )); do
    mapfile -t todo < <(find "$1" -name '*.tflite' | sort | grep -vxFf "$OUT/profiled.txt" | head -n 10)
    (( ${#todo[@]} )) || break
    log "profiling ${#todo[@]} architectures of $1"
    # shellcheck disable=SC2086
    "$BIN" profile "${todo[@]}" --threads "$THREADS" $GPU_FLAGS $PROFILE_FLAGS --out "$OUT/dataset.csv" --append \
      2>> "$OUT/profile.log" || log "some models of the batch were skipped (see profile.log)"
    printf '%s\n' "${todo[@]}" >> "$OUT/profiled.txt"
  done
}
profile_pending "$OUT/archs"
log "$(wc -l < "$OUT/profiled.txt") architectures profiled in all"

# 2b. Adaptive sampling (nn-Meter): where the predictor errs on held-out architectures, generate
# ADAPTIVE_COUNT (N/4) more mobile architectures weighted there (profiles/gen/adaptive.py ->
# gen_archs.py --focus), once per $OUT, and profile them within what is left of the budget.
if [[ "${ADAPTIVE:-1}" == 1 && -s "$OUT/dataset.csv" && ! -s "$OUT/focus.json" ]] && (( SECONDS - start < BUDGET )); then
  log "adaptive sampling: focus from the dataset so far"
  if nice -n 10 "$PY" profiles/gen/adaptive.py "$OUT/dataset.csv" --out "$OUT/focus.json" 2>> "$OUT/gen.log"; then
    # shellcheck disable=SC2086
    nice -n 10 "$PY" profiles/gen/gen_archs.py --family mobile --seed 2 --count "${ADAPTIVE_COUNT:-$((N / 4))}" \
      --out "$OUT/archs/mobile.focus" --focus "$OUT/focus.json" $MOBILE_FLAGS --time-budget "$GEN_BUDGET" \
      2>> "$OUT/gen.log" || log "the focused generator failed (see gen.log)"
    profile_pending "$OUT/archs/mobile.focus"
  else
    log "adaptive sampling skipped (see gen.log)"
  fi
fi

# 3. The zoo (evaluation only), training and the report.
if [[ "${ZOO:-1}" == 1 && ! -s "$OUT/zoo.csv" ]]; then
  log "profiling the zoo (evaluation only)"
  zoo=()
  for f in models/*.tflite; do [[ "$f" == *.litert.tflite ]] || zoo+=("$f"); done
  # shellcheck disable=SC2086
  timeout "${ZOO_BUDGET_S:-120}" "$BIN" profile "${zoo[@]}" --threads "$THREADS" $GPU_FLAGS $PROFILE_FLAGS \
    --out "$OUT/zoo.csv" --no-device-profile 2>> "$OUT/profile.log" || log "zoo profiling incomplete (rows kept)"
fi
log "training and report"
zoo_args=()
[[ -s "$OUT/zoo.csv" ]] && zoo_args=(--zoo "$OUT/zoo.csv")
nice -n 10 "$PY" profiles/report.py --train "$OUT/dataset.csv" "${zoo_args[@]}" --out "$OUT/report" \
  --label "GPU machine, $(date -u +%F), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" > /dev/null
# shellcheck disable=SC2086
"$BIN" profile --install-predictor "$OUT/report/predictor_gbt.json" $GPU_FLAGS || log "predictor not installed"
cp "$HETSCHED_CACHE_DIR"/device-*.json "$OUT/" 2>/dev/null || true
log "done: $OUT/report/report.md"
