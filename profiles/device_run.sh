#!/usr/bin/env bash
# The latency dataset on the GPU machine (not run by CI): generates architectures (NAS-Bench-101
# cells, mobile blocks and encoder-decoders), profiles them with `build/hetsched profile` (CPU at 1/4/16 threads, the
# GPU in fp32 and fp16), profiles the zoo for model-level evaluation (never trained on), then
# trains the predictors and writes the accuracy report. Everything goes to $OUT.
#
#   OUT=/path profiles/device_run.sh [N_ARCHS] [BUDGET_S]      everything on one machine
#
# The GPU machine has neither TensorFlow nor lightgbm, so there the work splits in three:
#   profiles/device_run.sh pack ARCH_DIR...    here: builds hetsched, fills .device/ and
#       .xfer-profile/ with timing twins (scripts/timing_twin.py: same graphs, compressible
#       weights, xz) of the architectures under ARCH_DIR (made by profiles/gen/gen_archs.py) and
#       of the zoo; carry [".device", ".xfer-profile"]
#   OUT=/root/hs/profile RESULT_TAR=$OUT/profile.tar.gz \
#   bash .device/enter.sh bash profiles/device_run.sh run [N_ARCHS] [BUDGET_S]    there: unpacks
#       the twins, skips generation, adaptive sampling and training (no TensorFlow, no lightgbm),
#       profiles within the budget; OUT holds dataset.csv, zoo.csv, machine.txt and the logs, and
#       RESULT_TAR gets them in one archive (the device tool returns at most 8 files: keep OUT
#       outside the folder that comes back, and let only the archive travel)
#   OUT=DIR profiles/device_run.sh train       here again, on the folder that came back: phase 3's
#       training, report and predictor.
#   SPECS=1 profiles/device_run.sh pack [N_ARCHS]: carries architecture specs instead of timing twins:
#       .xfer-profile/specs/<family>.jsonl, N_ARCHS (2000) index lines {file, spec, seed} a third per
#       family (gen_archs.py --spec-only --index-lines, seed 1, NB101_FLAGS / MOBILE_FLAGS / ENCDEC_FLAGS: a few
#       hundred bytes each); `run` there writes them with `hetsched gen-arch` (profiles/arch_writer.h:
#       the graph TensorFlow's converter makes, seeded weights) into its archs folder when TensorFlow
#       is absent. The zoo still travels as twins.
#   CACHE_FROM=DIR profiles/device_run.sh pack ARCH_DIR...: also carries DIR/carry/ (the measurement
#       and workgroup tuning caches an earlier `run` returned), so the next call reuses what the
#       last one measured and tuned (same binary only: a rebuilt hetsched ignores them, with a note).
#   SKIP_FROM="DIR..." profiles/device_run.sh pack ...: also carries the architectures earlier calls
#       profiled (each DIR/profiled.txt, e.g. profiles/results/h100_2026-12-07), which `run` then
#       skips, so a dataset grows across calls instead of timing the same first architectures again
#       (sessions 11 and 16 both began with mobile_s1_0 and nb101_s1_0). Its profiled.txt lists only
#       what this call profiled.
#
# One 9-minute device call, as many architectures as fit (docs/notes/profspeed.md):
#   ZOO=0 OUT=/root/hs/profile RESULT_TAR=/root/hs/profile.tar.gz \
#     bash .device/enter.sh bash profiles/device_run.sh run 100000 470
# N_ARCHS caps how many this call profiles (run mode: of the carried ones; default: all that fit
# the budget); BUDGET_S is when the last batch may start (a batch of BATCH=10 takes ~1 min at most).
# Sampling knobs (architectures only; the zoo is timed in full, without reuse): REL_CI (0.03:
# adaptive repetition), RANGE_SHARE (0.34: about one partial range per axis and kernel),
# CORUN_SHARE (0.25), TUNING_BUDGET_MS (5000 per model and precision), GPU_WARMUP_MS (100).
# Where a profile's time goes: profile.log's "time by phase" notes; the GPU's clocks during the
# run: gpu_clocks.csv (nvidia-smi, read only, where it exists), and the profiler's clock guard
# (on by default: dataset columns ref_us, clock_ok; profile.log's "GPU clock guard:" lines;
# PROFILE_FLAGS="... --clock-tolerance 0" turns it off for an A/B).
#
# Three phases, so that generation (TensorFlow, many cores) never overlaps a measurement:
#   1. generate up to N_ARCHS (default 2000; a third per family) with at most GEN_JOBS (8) parallel processes
#      for at most GEN_BUDGET_S (120) seconds (when TensorFlow is there);
#   2. profile the architectures not profiled yet, in batches of BATCH (10), until BUDGET_S (default 420,
#      counted from the start) is spent;
#   2b. adaptive sampling once (ADAPTIVE=1, TensorFlow): profiles/gen/adaptive.py finds where the
#      predictor errs on held-out architectures and N/4 more mobile architectures are generated there;
#   3. profile the zoo once (ZOO_BUDGET_S, 120), train, report (profiles/report.py), install the
#      predictor into the device profile (when lightgbm is there).
# A later call with the same $OUT resumes: files, rows and the list of profiled models are kept.
# Cost guide: a mobile architecture takes a few seconds at 3 thread counts + 2 GPU precisions; a
# NAS-Bench-101 one at the published size (32x32, stem 128) tens of seconds at 1 thread, so
# NB101_FLAGS="--stem-channels 64" (or PROFILE_FLAGS="--threads 4,16") buys more architectures.
# Needs: build/hetsched (Release); .venv with tensorflow-cpu and lightgbm (requirements.txt) for
# generation and training.
# Env: LABEL (the report's machine, "GPU machine"), THREADS (1,4,16), GPU_FLAGS (--gpu --corun), PROFILE_FLAGS (--samples 5), NB101_FLAGS, MOBILE_FLAGS, ENCDEC_FLAGS,
#      GEN_JOBS, GEN_BUDGET_S, ZOO (1: profile the zoo), ZOO_DIR (models), ZOO_BUDGET_S.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mode=all
case "${1:-}" in pack|run|train) mode=$1; shift ;; esac
# The generated families and each one's gen_archs.py options (pack's specs and generation alike).
FAMILIES=(nb101 mobile encdec)
declare -A FAMILY_FLAGS=([nb101]="${NB101_FLAGS:---resolution 32 --stem-channels 128}"
                         [mobile]="${MOBILE_FLAGS:---min-res 96 --max-res 320}"
                         [encdec]="${ENCDEC_FLAGS:---min-res 96 --max-res 320}")

if [[ $mode == pack ]]; then
  (( $# )) || [[ ${SPECS:-0} == 1 ]] || { echo "device_run: pack ARCH_DIR...: the folders of generated architectures" >&2; exit 2; }
  source scripts/device_common.sh
  device_pack_targets hetsched_cli -- hetsched
  xfer=.xfer-profile
  device_xfer_twins "$xfer"  # the zoo's twins in $xfer/models
  if [[ -n ${CACHE_FROM:-} ]]; then  # an earlier run's measurement and tuning caches
    mkdir -p "$xfer/cache"
    cp "$CACHE_FROM"/carry/*.json "$xfer/cache/" && echo "device_run: carrying $(ls "$xfer/cache" | wc -l) cache files"
  fi
  rm -f "$xfer/profiled_before.txt"
  for d in ${SKIP_FROM:-}; do  # earlier calls' architectures: `run` skips them
    [[ -f $d/profiled.txt ]] || { echo "device_run: SKIP_FROM: $d/profiled.txt missing" >&2; exit 2; }
    cat "$d/profiled.txt" >> "$xfer/profiled_before.txt"
  done
  [[ -f $xfer/profiled_before.txt ]] && echo "device_run: carrying $(sort -u "$xfer/profiled_before.txt" | wc -l) architectures profiled before (skipped there)"
  if [[ ${SPECS:-0} == 1 ]]; then  # specs, written there by `hetsched gen-arch`
    n_specs="${1:-2000}"
    mkdir -p "$xfer/specs"
    nf=${#FAMILIES[@]}
    for k in "${!FAMILIES[@]}"; do  # n_specs split as evenly as it goes, the earlier families first
      family=${FAMILIES[k]}
      # shellcheck disable=SC2086
      "$ROOT/.venv/bin/python" profiles/gen/gen_archs.py --family "$family" --seed 1 --count $(( (n_specs + nf - 1 - k) / nf )) \
        --out "$xfer/specs" --spec-only --index-lines ${FAMILY_FLAGS[$family]} > "$xfer/specs/$family.jsonl"
    done
    du -sh .device "$xfer" | sed 's/^/device_run: /'
    echo "device_run: $(cat "$xfer"/specs/*.jsonl | wc -l) architecture specs and the zoo as timing twins; carry [\".device\", \"$xfer\"]"
    exit 0
  fi
  mapfile -t archs < <(find "$@" -name '*.tflite' | sort)
  "$ROOT/.venv/bin/python" scripts/timing_twin.py pack "$xfer/archs" "${archs[@]}" 2>> "$xfer/twins.log"
  du -sh .device "$xfer" | sed 's/^/device_run: /'
  echo "device_run: ${#archs[@]} architectures and the zoo as timing twins; carry [\".device\", \"$xfer\"]"
  exit 0
fi
: "${OUT:?set OUT to the output folder}"
N="${1:-2000}"
BUDGET="${2:-420}"
THREADS="${THREADS:-1,4,16}"
GPU_FLAGS="${GPU_FLAGS---gpu --corun}"  # set but empty: CPU only; --corun: the co-running slowdown rows
PROFILE_FLAGS="${PROFILE_FLAGS:---samples 5 --gpu-warmup-ms ${GPU_WARMUP_MS:-100} --tuning-budget-ms ${TUNING_BUDGET_MS:-5000}}"
# Architectures only: reuse of identical measurements (the measurement cache) and sampling.
ARCH_FLAGS="${ARCH_FLAGS:---rel-ci ${REL_CI:-0.03} --range-share ${RANGE_SHARE:-0.34} --corun-share ${CORUN_SHARE:-0.25}}"
GEN_JOBS="${GEN_JOBS:-8}"
GEN_BUDGET="${GEN_BUDGET_S:-120}"
PY="${PY:-$ROOT/.venv/bin/python}"
[[ -x $PY ]] || PY=python3
BIN="${HETSCHED_BIN:-$ROOT/build/hetsched}"
[[ $mode == run && ! -x $BIN && -x $ROOT/.device/bin/hetsched ]] && BIN="$ROOT/.device/bin/hetsched"
ZOO_DIR="${ZOO_DIR:-models}"
export HETSCHED_CACHE_DIR="${HETSCHED_CACHE_DIR:-$OUT/cache}"
mkdir -p "$OUT/archs" "$OUT/cache"
touch "$OUT/profiled.txt"
SKIP_LIST="$OUT/skip.txt"  # profiled by this call or (carried by pack) by earlier ones; matched by file name
start=$SECONDS
log() { echo "device_run: $* ($((SECONDS - start)) s)" | tee -a "$OUT/device_run.log" >&2; }
have() { "$PY" -c "import $1" 2>/dev/null; }
ARCHS_DIR="$OUT/archs"
if [[ $mode == run && -d .xfer-profile ]]; then  # the timing twins carried by `pack`, unpacked outside $OUT
  source scripts/device_common.sh
  work="${WORK:-/tmp/hetsched-profile}"
  ARCHS_DIR="$work/archs" ZOO_DIR="$work/zoo"
  [[ -d .xfer-profile/archs ]] && python3 scripts/timing_twin.py unpack .xfer-profile/archs "$ARCHS_DIR"
  device_unpack_twins .xfer-profile "$ZOO_DIR"
  [[ -d .xfer-profile/cache ]] && cp -n .xfer-profile/cache/*.json "$HETSCHED_CACHE_DIR/" 2>/dev/null || true
fi
if [[ $mode != train ]] && command -v nvidia-smi > /dev/null; then  # GPU clocks while profiling (read only)
  nvidia-smi --query-gpu=timestamp,pstate,clocks.sm,clocks.mem,utilization.gpu,power.draw --format=csv \
    -lms 250 > "$OUT/gpu_clocks.csv" 2>/dev/null &
  clocks_pid=$!
  trap 'kill "$clocks_pid" 2>/dev/null || true' EXIT
fi
GEN=1
have tensorflow || { GEN=0; log "no TensorFlow here: no generation, no adaptive sampling (the carried architectures only)"; }
TRAIN=1
have lightgbm || { TRAIN=0; log "no lightgbm here: train where it is (OUT=<this folder> profiles/device_run.sh train)"; }
if [[ $mode != train ]]; then
  [[ -x "$BIN" ]] || { echo "device_run: $BIN missing: build first" >&2; exit 1; }
  { date -u +%FT%TZ; nproc; grep -m1 "model name" /proc/cpuinfo || true; "$BIN" devices || true; } > "$OUT/machine.txt" 2>&1
fi
# Carried specs (pack with SPECS=1), written by hetsched itself where TensorFlow cannot build them.
if [[ $mode == run && $GEN == 0 ]] && compgen -G ".xfer-profile/specs/*.jsonl" > /dev/null; then
  for spec_file in .xfer-profile/specs/*.jsonl; do
    "$BIN" gen-arch "$spec_file" --out "$ARCHS_DIR/$(basename "$spec_file" .jsonl)" --quiet \
      | sed 's/^/device_run: /' >&2 || { log "gen-arch failed on $spec_file"; exit 1; }
  done
fi

# 1. Generation: GEN_JOBS split over the families (at least one job each); job j of a family makes
# its j-th block of consecutive indices (existing files are skipped).
if [[ $mode != train && $GEN == 1 ]]; then
jobs=$(( GEN_JOBS / ${#FAMILIES[@]} > 0 ? GEN_JOBS / ${#FAMILIES[@]} : 1 ))
log "generating up to $N architectures with $(( jobs * ${#FAMILIES[@]} )) jobs for at most $GEN_BUDGET s"
per_job=$(( (N / ${#FAMILIES[@]} + jobs - 1) / jobs ))
pids=()
for family in "${FAMILIES[@]}"; do
  for ((j = 0; j < jobs; j++)); do
    # shellcheck disable=SC2086
    nice -n 10 "$PY" profiles/gen/gen_archs.py --family "$family" --seed 1 --start $((j * per_job)) \
      --count "$per_job" --out "$OUT/archs/$family.$j" ${FAMILY_FLAGS[$family]} --time-budget "$GEN_BUDGET" \
      2>> "$OUT/gen.log" &
    pids+=($!)
  done
done
for p in "${pids[@]}"; do wait "$p" || log "a generator failed (see gen.log)"; done
fi
log "$(find "$ARCHS_DIR" -name '*.tflite' | wc -l) architectures in all"

# 2. Profiling, batch by batch, within the budget.
# profile_pending DIR: profiles the architectures under DIR not profiled yet, 10 at a time, until
# the budget is spent.
# A dataset of an older profiler (no reused/tuned, fused_into/chain_ops/ref_us/clock_ok or in_model columns)
# cannot be appended to: kept aside.
if [[ $mode != train && -s $OUT/dataset.csv ]] && ! head -n 1 "$OUT/dataset.csv" | grep -q ',reused,tuned,fused_into,chain_ops,ref_us,clock_ok,in_model,'; then
  mv "$OUT/dataset.csv" "$OUT/dataset.old-columns.csv"
  log "dataset.csv has an older profiler's columns: moved to dataset.old-columns.csv, a new one is started"
fi
done_now=0  # architectures profiled by this call (N_ARCHS caps it)
profile_pending() {
  while (( SECONDS - start < BUDGET && done_now < N )); do
    cat "$OUT/profiled.txt" > "$SKIP_LIST"
    [[ -f .xfer-profile/profiled_before.txt ]] && cat .xfer-profile/profiled_before.txt >> "$SKIP_LIST"
    # By index (name_<i>.tflite), so the families interleave when the budget ends early.
    mapfile -t todo < <(find "$1" -name '*.tflite' | awk -F_ '{print $NF "\t" $0}' | sort -n | cut -f2- \
      | awk -v skip_file="$SKIP_LIST" 'BEGIN { while ((getline l < skip_file) > 0) { sub(/.*\//, "", l); skip[l] = 1 } }
                                        { n = $0; sub(/.*\//, "", n); if (!(n in skip)) print }' | head -n "$(( ${BATCH:-10} < N - done_now ? ${BATCH:-10} : N - done_now ))")
    (( ${#todo[@]} )) || break
    log "profiling ${#todo[@]} architectures of $1"
    # shellcheck disable=SC2086
    "$BIN" profile "${todo[@]}" --threads "$THREADS" $GPU_FLAGS $PROFILE_FLAGS $ARCH_FLAGS --out "$OUT/dataset.csv" \
      --append 2>> "$OUT/profile.log" || log "some models of the batch were skipped (see profile.log)"
    printf '%s\n' "${todo[@]}" >> "$OUT/profiled.txt"
    done_now=$(( done_now + ${#todo[@]} ))
    grep "time by phase" "$OUT/profile.log" | tail -n 1 | sed 's/^/device_run: /' >&2 || true
  done
}
[[ $mode != train ]] && profile_pending "$ARCHS_DIR"
log "$(wc -l < "$OUT/profiled.txt") architectures profiled in all"

# 2b. Adaptive sampling (nn-Meter): where the predictor errs on held-out architectures, generate
# ADAPTIVE_COUNT (N/4) more mobile architectures weighted there (profiles/gen/adaptive.py ->
# gen_archs.py --focus), once per $OUT, and profile them within what is left of the budget.
if [[ $mode != train && $GEN == 1 && "${ADAPTIVE:-1}" == 1 && -s "$OUT/dataset.csv" && ! -s "$OUT/focus.json" ]] && (( SECONDS - start < BUDGET )); then
  log "adaptive sampling: focus from the dataset so far"
  if nice -n 10 "$PY" profiles/gen/adaptive.py "$OUT/dataset.csv" --out "$OUT/focus.json" 2>> "$OUT/gen.log"; then
    # shellcheck disable=SC2086
    nice -n 10 "$PY" profiles/gen/gen_archs.py --family mobile --seed 2 --count "${ADAPTIVE_COUNT:-$((N / 4))}" \
      --out "$OUT/archs/mobile.focus" --focus "$OUT/focus.json" ${FAMILY_FLAGS[mobile]} --time-budget "$GEN_BUDGET" \
      2>> "$OUT/gen.log" || log "the focused generator failed (see gen.log)"
    profile_pending "$OUT/archs/mobile.focus"
  else
    log "adaptive sampling skipped (see gen.log)"
  fi
fi

# 3. The zoo (evaluation only), training and the report.
if [[ $mode != train && "${ZOO:-1}" == 1 && ! -s "$OUT/zoo.csv" ]]; then
  log "profiling the zoo (evaluation only)"
  zoo=()
  for f in "$ZOO_DIR"/*.tflite; do [[ "$f" == *.litert.tflite ]] || zoo+=("$f"); done
  # shellcheck disable=SC2086
  timeout "${ZOO_BUDGET_S:-120}" "$BIN" profile "${zoo[@]}" --threads "$THREADS" $GPU_FLAGS $PROFILE_FLAGS \
    --no-measurement-cache --out "$OUT/zoo.csv" --no-device-profile 2>> "$OUT/profile.log" \
    || log "zoo profiling incomplete (rows kept)"
fi
if [[ $mode != train ]]; then  # what the next call reuses (pack with CACHE_FROM=<this folder>)
  mkdir -p "$OUT/carry"
  cp "$HETSCHED_CACHE_DIR"/measurements-*.json "$HETSCHED_CACHE_DIR"/workgroups-*.json "$OUT/carry/" 2>/dev/null || true
fi
if [[ $TRAIN == 0 ]]; then
  cp "$HETSCHED_CACHE_DIR"/device-*.json "$OUT/" 2>/dev/null || true
  log "done (no training here): $OUT/dataset.csv, $OUT/zoo.csv"
  if [[ -n ${RESULT_TAR:-} ]]; then
    tar -C "$OUT" --exclude=./cache --exclude=./archs -czf "$RESULT_TAR" . && log "archive: $RESULT_TAR"
  fi
  exit 0
fi
log "training and report"
zoo_args=()
[[ -s "$OUT/zoo.csv" ]] && zoo_args=(--zoo "$OUT/zoo.csv")
# The measured machine: machine.txt (written when it profiled), else this one.
cpu_name=$(grep -m1 'model name' "$OUT/machine.txt" 2>/dev/null || grep -m1 'model name' /proc/cpuinfo)
measured_on=$(head -n1 "$OUT/machine.txt" 2>/dev/null | cut -c1-10)
nice -n 10 "$PY" profiles/report.py --train "$OUT/dataset.csv" "${zoo_args[@]}" --out "$OUT/report" \
  --label "${LABEL:-GPU machine}, ${measured_on:-$(date -u +%F)}, $(echo "$cpu_name" | cut -d: -f2 | xargs)" > /dev/null
if [[ $mode == train ]]; then  # the predictor belongs in the measured device's profile, not this machine's
  log "predictor: $OUT/report/predictor_gbt.json (install it there: hetsched profile --install-predictor FILE --gpu)"
else
  # shellcheck disable=SC2086
  "$BIN" profile --install-predictor "$OUT/report/predictor_gbt.json" $GPU_FLAGS || log "predictor not installed"
  cp "$HETSCHED_CACHE_DIR"/device-*.json "$OUT/" 2>/dev/null || true
fi
log "done: $OUT/report/report.md"
